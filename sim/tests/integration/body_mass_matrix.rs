//! The vendored rapier (vendor/rapier3d, see its PATCHES.md) assembles the joint-space mass
//! matrix on each link's chain of joints only, factorises it over the tree of joints and applies
//! its inverse to the constraints' Jacobians from that factorisation. For the hexapod mid-stride
//! on rough terrain (legs spread, thorax tilted, links in motion): the matrix must equal the
//! textbook dense sum `M = Σ_links Jᵀ · diag(m, I) · J` over every column, and `M⁻¹ · b` must
//! solve `M x = b` as upstream's LU does.

use controller::motor::MotorCommand;
use nalgebra::{DMatrix, DVector, Matrix3, Matrix6};
use sim::agent::{Agent, Start};
use sim::body::bout::Bout;
use sim::body::{BodySpec, default_body_path};
use sim::world::TerrainKind;

#[test]
fn mass_matrix_and_its_inverse_match_the_dense_formulas() {
    let spec = BodySpec::load(&default_body_path()).unwrap();
    let mut cfg = Bout::new(MotorCommand::Stand, 1.0);
    cfg.scene.arena.terrain = TerrainKind::Rough;
    cfg.scene.arena.half_size = 2.0;
    cfg.scene.arena.spawn_clearance = 0.05;
    let mut agent = Agent::new(&spec, cfg.scene, 5, &Start::default(), spec.physics.dt);
    let walk = MotorCommand::Walk {
        speed: 0.12,
        turn: 0.4,
    };
    for _ in 0..400 {
        agent.step(&walk);
    }

    let physics = &mut agent.world.physics;
    let link = physics
        .multibody_joints
        .rigid_body_link(agent.body.thorax())
        .expect("thorax is a multibody link");
    let mb = physics
        .multibody_joints
        .get_multibody_mut(link.multibody)
        .expect("the body's multibody");
    let n = mb.ndofs();
    assert_eq!(n, 25, "free thorax (6) + neck (1) + 6 legs x 3 joints");
    // Reassemble at the bodies' present poses (a step leaves the matrix of its start): rapier's
    // public way is this call, with dt = 0, so the diagonal holds only the armature.
    mb.dof_inverse_inertia(&physics.bodies);
    let mb = &*mb;

    let mut dense = DMatrix::<f32>::from_diagonal(mb.armature());
    for l in mb.links() {
        let props = physics.bodies[l.rigid_body_handle()].mass_properties();
        let m = props.effective_mass();
        let i = props.effective_angular_inertia();
        let mut m_rb = Matrix6::<f32>::zeros();
        m_rb[(0, 0)] = m.x;
        m_rb[(1, 1)] = m.y;
        m_rb[(2, 2)] = m.z;
        m_rb.fixed_view_mut::<3, 3>(3, 3).copy_from(&Matrix3::new(
            i.m11, i.m12, i.m13, i.m12, i.m22, i.m23, i.m13, i.m23, i.m33,
        ));
        let j = mb.body_jacobian(l.link_id());
        dense += j.transpose() * m_rb * j;
    }

    // The same terms summed in another order: each entry within rounding of its scale
    // (|M_ab| <= sqrt(M_aa M_bb) for a sum of positive semi-definite terms).
    let assembled = mb.augmented_mass();
    for a in 0..n {
        for b in 0..n {
            let scale = (dense[(a, a)] * dense[(b, b)]).sqrt();
            let diff = (assembled[(a, b)] - dense[(a, b)]).abs();
            assert!(
                diff <= 1e-5 * scale,
                "M[{a},{b}]: assembled {} against {} (scale {scale})",
                assembled[(a, b)],
                dense[(a, b)]
            );
        }
    }
    // Not a comparison of zeros: a leg's joints couple to the thorax's six coordinates.
    let first_leg = 7;
    assert!(assembled.view((0, first_leg), (6, 3)).amax() > 1e-3 * dense.amax());

    // The inverse, on a joint's unit vector (a motor's Jᵀ), a contact's Jᵀ (non-zero on one
    // link's chain: a force on the last leg's tibia) and a dense vector.
    let foot = mb.links().last().expect("links").link_id();
    let contact =
        mb.body_jacobian(foot).transpose() * nalgebra::Vector6::new(0.1, -0.2, 1.0, 0.0, 0.0, 0.0);
    let cases = [
        DVector::from_fn(n, |i, _| if i == 9 { 1.0 } else { 0.0 }),
        contact,
        DVector::from_fn(n, |i, _| ((i * 7 + 3) % 11) as f32 - 5.0),
    ];
    for b in cases {
        let mut x = DVector::zeros(n);
        assert!(mb.inv_augmented_mass_mul(b.as_slice(), x.as_mut_slice()));
        let residual = (&dense * &x - &b).amax();
        assert!(
            residual <= 1e-3 * b.amax(),
            "|M x - b| = {residual} for |b| = {}",
            b.amax()
        );
        let lu = mb.inv_augmented_mass().solve(&b).expect("M is invertible");
        assert!(
            (&x - &lu).amax() <= 1e-3 * lu.amax(),
            "tree {x} against LU {lu}"
        );
    }
}
