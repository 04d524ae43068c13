//! Checks the tuning of the synthetic generator: runs the Shiu et al. LIF model (0.275 mV
//! per synapse, 200 random neurons driven by 150 Hz Poisson input) on a synthetic network
//! and reports how many other neurons fire and how fast, per 100 ms window.
//!
//! This is a plain reference integrator for one purpose (is the generated network silent,
//! realistic, or runaway?), not the project's brain engine, which lives in `controller`.
//!
//! `cargo run --release -p connectome --example synth_activity -- [neurons] [edges] [scale] [seed]`

use std::collections::VecDeque;

use connectome::synth::{SynthParams, generate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: f64| a.get(i).map_or(d, |s| s.parse().expect("numeric argument"));
    let base = SynthParams::default();
    let p = SynthParams {
        neurons: arg(0, base.neurons as f64) as usize,
        edges: arg(1, base.edges as f64) as usize,
        scale: arg(2, base.scale),
        seed: arg(3, base.seed as f64) as u64,
        ..base
    };
    let t0 = std::time::Instant::now();
    let c = generate(&p).expect("valid parameters");
    eprintln!(
        "generated {} neurons, {} pairs, {} synapses in {:.1} s",
        c.n_neurons(),
        c.n_edges(),
        c.n_synapses(),
        t0.elapsed().as_secs_f64()
    );
    let (row_start, targets, counts) = c.synapses.parts();
    let n = c.n_neurons();

    // Shiu et al. 2024 constants (DESIGN.md "The brain model").
    let (dt, t_mbr, tau, v0, v_th) = (0.1f64, 20.0f64, 5.0f64, -52.0f64, -45.0f64);
    let (w_syn, f_poi, rate_hz, delay_steps, refr_steps) =
        (0.275f64, 250.0f64, 150.0f64, 18usize, 22u32);
    let (em, eg) = ((-dt / t_mbr).exp(), (-dt / tau).exp());
    let cross = tau / (tau - t_mbr) * (eg - em);

    let mut rng = ChaCha8Rng::seed_from_u64(p.seed ^ 0x5eed);
    let mut driven = vec![false; n];
    let mut k = 0;
    while k < 200 {
        let i = rng.random_range(0..n);
        if !driven[i] {
            driven[i] = true;
            k += 1;
        }
    }
    let (mut v, mut g) = (vec![v0; n], vec![0.0f64; n]);
    let mut refr = vec![0u32; n];
    let mut spikes = vec![0u32; n];
    let mut queue: VecDeque<Vec<u32>> = (0..delay_steps).map(|_| Vec::new()).collect();
    let steps = 10_000; // 1 s
    let mut window = (0u64, 0u64);
    for step in 0..steps {
        for i in 0..n {
            if refr[i] > 0 {
                refr[i] -= 1;
                continue;
            }
            let u = v[i] - v0;
            v[i] = v0 + u * em + g[i] * cross;
            g[i] *= eg;
        }
        let fired: Vec<u32> = (0..n as u32).filter(|&i| v[i as usize] > v_th).collect();
        let arriving = queue.pop_front().unwrap();
        for &pre in &arriving {
            let (a, b) = (
                row_start[pre as usize] as usize,
                row_start[pre as usize + 1] as usize,
            );
            for e in a..b {
                g[targets[e] as usize] += counts[e] as f64 * w_syn;
            }
        }
        for i in 0..n {
            if driven[i] && rng.random_bool(rate_hz * dt * 1e-3) {
                v[i] += f_poi * w_syn;
            }
        }
        for &i in &fired {
            let i = i as usize;
            v[i] = v0;
            g[i] = 0.0;
            refr[i] = if driven[i] { 0 } else { refr_steps };
            spikes[i] += 1;
            if driven[i] {
                window.0 += 1
            } else {
                window.1 += 1
            }
        }
        queue.push_back(fired);
        if (step + 1) % 1000 == 0 {
            eprintln!(
                "t = {:4} ms: driven spikes {:6}, other spikes {:8}",
                (step + 1) / 10,
                window.0,
                window.1
            );
            window = (0, 0);
        }
    }
    let others: Vec<u32> = (0..n).filter(|&i| !driven[i]).map(|i| spikes[i]).collect();
    let active = others.iter().filter(|&&s| s > 0).count();
    let mut rates: Vec<u32> = others.iter().copied().filter(|&s| s > 0).collect();
    rates.sort_unstable();
    let pct = |q: f64| {
        rates
            .get(((rates.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "scale {}: {} of {} undriven neurons fired in 1 s ({:.2}%); rates of those (Hz) median {} p90 {} max {}; mean rate over all undriven {:.3} Hz",
        p.scale,
        active,
        others.len(),
        100.0 * active as f64 / others.len() as f64,
        pct(0.5),
        pct(0.9),
        pct(1.0),
        others.iter().map(|&s| s as f64).sum::<f64>() / others.len() as f64
    );
}
