//! `hexafly body run`: the body alone, driven by one motor pattern, headless. Writes
//! DIR/trajectory.csv and DIR/summary.json.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use controller::anatomy::{LegId, Side};
use controller::motor::{EscapeMode, MotorCommand};

use sim::body::bout::{Bout, run_bout};
use sim::body::{BodySpec, default_body_path};
use sim::world::placement::{food_under_proboscis, threat_from};
use sim::world::{Scene, TerrainKind};

/// Motor pattern to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Pattern {
    /// Tripod walking at --speed and --turn.
    Walk,
    /// Antennal grooming.
    Groom,
    /// Escape from a threat on --threat-side.
    Escape,
    /// Feeding on a food patch placed under the proboscis.
    Feed,
    /// Standing still.
    Stand,
}

/// Ground surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Terrain {
    /// Flat ground.
    Flat,
    /// Seeded random heightfield.
    Rough,
}

/// Arguments of `hexafly body run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Body description (TOML); default: the bundled assets/bodies/hexapod.toml.
    #[arg(long)]
    pub body: Option<PathBuf>,
    /// Scene description (TOML); default: an empty flat arena.
    #[arg(long)]
    pub scene: Option<PathBuf>,
    /// Motor pattern.
    #[arg(long, value_enum)]
    pub pattern: Pattern,
    /// Forward speed for walk, m/s (negative walks backwards).
    #[arg(long, default_value_t = 0.1, allow_hyphen_values = true)]
    pub speed: f32,
    /// Turn rate for walk, rad/s (> 0 turns left).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub turn: f32,
    /// Side the threat comes from, for escape.
    #[arg(long, value_enum, default_value = "left")]
    pub threat_side: ThreatSide,
    /// Escape style.
    #[arg(long, value_enum, default_value = "jump")]
    pub escape: EscapeStyle,
    /// Recorded duration, seconds.
    #[arg(long, allow_hyphen_values = true)]
    pub duration: f32,
    /// Ground surface (overrides the scene's).
    #[arg(long, value_enum)]
    pub terrain: Option<Terrain>,
    /// Seed (rough terrain).
    #[arg(long, default_value_t = 0, value_parser = super::seed_parser())]
    pub seed: u64,
    /// Trajectory sampling interval, milliseconds.
    #[arg(long, default_value_t = 10.0, allow_hyphen_values = true)]
    pub sample_ms: f32,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
}

/// Side of an approaching threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThreatSide {
    /// From the left.
    Left,
    /// From the right.
    Right,
}

/// Escape style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EscapeStyle {
    /// Jump from the middle legs.
    Jump,
    /// Turn away and run.
    Run,
}

/// Runs `hexafly body run`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let body_path = args.body.clone().unwrap_or_else(default_body_path);
    let spec = BodySpec::load(&body_path)?;
    let mut scene = match &args.scene {
        Some(p) => Scene::load(p)?,
        None => Scene::default(),
    };
    if let Some(t) = args.terrain {
        scene.arena.terrain = match t {
            Terrain::Flat => TerrainKind::Flat,
            Terrain::Rough => TerrainKind::Rough,
        };
    }
    anyhow::ensure!(
        args.duration.is_finite() && args.duration > 0.0,
        "--duration must be a positive number of seconds, got {}",
        args.duration
    );
    anyhow::ensure!(
        args.speed.is_finite() && args.turn.is_finite(),
        "--speed and --turn must be finite numbers"
    );
    // The same rule as an experiment's `arbiter.max_speed`: faster than the gait can walk
    // is an error, not a quiet cap.
    let fastest = spec.motor.max_walk_speed();
    anyhow::ensure!(
        args.speed.abs() <= fastest,
        "--speed {} m/s is faster than this body's gait can walk ({fastest:.3} m/s: the longest \
         stride at the highest stepping rate)",
        args.speed
    );
    // The output folder is checked before anything is simulated.
    sim::record::atomic::check_writable(&args.out.join("trajectory.csv"))?;
    anyhow::ensure!(
        args.sample_ms.is_finite() && args.sample_ms > 0.0,
        "--sample-ms must be a positive number of milliseconds, got {}",
        args.sample_ms
    );
    let side = match args.threat_side {
        ThreatSide::Left => Side::Left,
        ThreatSide::Right => Side::Right,
    };
    let command = match args.pattern {
        Pattern::Walk => MotorCommand::Walk {
            speed: args.speed,
            turn: args.turn,
        },
        Pattern::Groom => MotorCommand::Groom,
        Pattern::Stand => MotorCommand::Stand,
        Pattern::Feed => {
            scene.food.push(food_under_proboscis(&spec));
            MotorCommand::Feed
        }
        Pattern::Escape => {
            let mut th = threat_from(side, spec.stance.height + spec.head.center[2]);
            th.onset_s = 0.0;
            scene.threats.push(th);
            let mode = match args.escape {
                EscapeStyle::Jump => EscapeMode::Jump,
                EscapeStyle::Run => EscapeMode::Run,
            };
            MotorCommand::Escape {
                mode,
                threat_azimuth: side.sign() * std::f32::consts::FRAC_PI_2,
            }
        }
    };
    let mut cfg = Bout::new(command, args.duration);
    cfg.seed = args.seed;
    cfg.sample_s = args.sample_ms / 1000.0;
    // The threat's clock starts with recording, after the settling time.
    for th in &mut scene.threats {
        th.onset_s += cfg.settle_s;
    }
    let cfg_terrain = scene.arena.terrain;
    cfg.scene = scene;
    let (samples, summary) = run_bout(&spec, &cfg)?;

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let traj = args.out.join("trajectory.csv");
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(&traj).with_context(|| format!("cannot write {}", traj.display()))?,
    );
    write!(w, "t,x,y,z,roll,pitch,yaw")?;
    for leg in LegId::ALL {
        write!(w, ",contact_{}", leg.name())?;
    }
    writeln!(w)?;
    for s in &samples {
        write!(
            w,
            "{:.4},{},{},{},{},{},{}",
            s.t, s.position[0], s.position[1], s.position[2], s.rpy[0], s.rpy[1], s.rpy[2]
        )?;
        for c in s.contacts {
            write!(w, ",{}", c as u8)?;
        }
        writeln!(w)?;
    }
    w.flush()?;
    let mut json = serde_json::to_value(&summary)?;
    json["pattern"] = serde_json::json!(format!("{:?}", args.pattern).to_lowercase());
    let shown = std::fs::canonicalize(&body_path).unwrap_or(body_path.clone());
    json["body"] = serde_json::json!(shown.display().to_string());
    json["seed"] = serde_json::json!(args.seed);
    if args.pattern == Pattern::Walk {
        json["commanded_speed_m_s"] = serde_json::json!(args.speed);
        json["commanded_turn_rad_s"] = serde_json::json!(args.turn);
    }
    if args.pattern == Pattern::Escape {
        json["threat_side"] = serde_json::json!(format!("{:?}", args.threat_side).to_lowercase());
        json["escape"] = serde_json::json!(format!("{:?}", args.escape).to_lowercase());
    }
    json["terrain"] = serde_json::json!(format!("{:?}", cfg_terrain).to_lowercase());
    let sum_path = args.out.join("summary.json");
    std::fs::write(&sum_path, serde_json::to_string_pretty(&json)? + "\n")
        .with_context(|| format!("cannot write {}", sum_path.display()))?;
    println!("{}", serde_json::to_string(&json)?);
    Ok(())
}
