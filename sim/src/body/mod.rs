//! The hexapod body in rapier3d, built from a body description (assets/bodies/*.toml).
//!
//! The thorax is the root of one reduced-coordinate multibody; head (neck pitch) and the 18 leg
//! segments are its links, each joint a revolute with limits and a force-based position motor
//! (the acceleration-based default made the robot sag, see DESIGN.md build notes). Only the
//! tarsus spheres and the head, thorax and abdomen touch the world; leg segments carry mass and
//! inertia but no contacts, which keeps the contact count (and the step time) small. The
//! proboscis is a massless sensor segment on the head whose extension follows its target.

pub mod bout;
pub mod error;
pub mod spec;
pub mod state;

use controller::anatomy::{JointTargets, LegId, Side};
use rapier3d::prelude::*;

pub use error::BodyError;
pub use spec::{BodySpec, default_body_path};
pub use state::{BodyPart, BodyStateError};

/// Collision group of the ground, terrain and obstacles.
pub const GROUP_GROUND: Group = Group::GROUP_1;
/// Collision group of head, thorax and abdomen.
pub const GROUP_BODY: Group = Group::GROUP_2;
/// Collision group of the tarsi.
pub const GROUP_FOOT: Group = Group::GROUP_3;

/// Pose of the thorax, in world coordinates (z up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyPose {
    /// Position of the thorax centre, metres.
    pub position: [f32; 3],
    /// Roll, pitch, yaw (extrinsic z-y-x), radians.
    pub rpy: [f32; 3],
}

/// The built body: handles into the physics sets and the proboscis state.
#[derive(Debug, Clone)]
pub struct Body {
    spec: BodySpec,
    thorax: RigidBodyHandle,
    head: RigidBodyHandle,
    links: [[RigidBodyHandle; 3]; 6],
    feet: [ColliderHandle; 6],
    body_colliders: [ColliderHandle; 3],
    proboscis: f32,
}

fn v3(a: [f32; 3]) -> Vector {
    Vector::new(a[0], a[1], a[2])
}

impl Body {
    /// Adds the body to `world` standing at (x, y) with heading `yaw`, with its thorax
    /// `ground_z + stance height` above the ground, legs already in the standing pose `stand`.
    pub fn build(
        spec: &BodySpec,
        world: &mut PhysicsWorld,
        xy: [f32; 2],
        yaw: f32,
        ground_z: f32,
        stand: &JointTargets,
    ) -> Body {
        let l = &spec.legs;
        let body_groups =
            InteractionGroups::new(GROUP_BODY, GROUP_GROUND, InteractionTestMode::And);
        let foot_groups =
            InteractionGroups::new(GROUP_FOOT, GROUP_GROUND, InteractionTestMode::And);
        let no_groups = InteractionGroups::none();

        let rot = Rotation::from_rotation_z(yaw);
        let root_pos = Vector::new(
            xy[0],
            xy[1],
            ground_z + spec.stance.height + l.tarsus_radius,
        );
        let root_pose = Pose::from_parts(root_pos, rot);
        let dynamic = |p: Vector| {
            RigidBodyBuilder::dynamic()
                .pose(Pose::from_parts(root_pos + rot * p, rot))
                .can_sleep(false)
                .build()
        };

        let thorax = world.bodies.insert(
            RigidBodyBuilder::dynamic()
                .pose(root_pose)
                .can_sleep(false)
                .build(),
        );
        let e = spec.thorax.half_extents;
        let c_thorax = world.colliders.insert_with_parent(
            ColliderBuilder::cuboid(e[0], e[1], e[2])
                .mass(spec.thorax.mass)
                .friction(spec.physics.body_friction)
                .collision_groups(body_groups),
            thorax,
            &mut world.bodies,
        );
        let a = &spec.abdomen;
        let c_abdomen = world.colliders.insert_with_parent(
            ColliderBuilder::capsule_x(a.half_length, a.radius)
                .translation(v3(a.center))
                .mass(a.mass)
                .friction(spec.physics.body_friction)
                .collision_groups(body_groups),
            thorax,
            &mut world.bodies,
        );

        // Head: a link rotating about the body's y axis at the neck (> 0 pitches it down).
        let h = &spec.head;
        let head = world.bodies.insert(dynamic(v3(h.neck)));
        let c_head = world.colliders.insert_with_parent(
            ColliderBuilder::ball(h.radius)
                .translation(v3(h.center) - v3(h.neck))
                .mass(h.mass)
                .friction(spec.physics.body_friction)
                .collision_groups(body_groups),
            head,
            &mut world.bodies,
        );
        let neck_joint = RevoluteJointBuilder::new(Vector::Y)
            .local_anchor1(v3(h.neck))
            .local_anchor2(Vector::ZERO)
            .limits([
                h.neck_limits_deg[0].to_radians(),
                h.neck_limits_deg[1].to_radians(),
            ])
            .motor_model(MotorModel::ForceBased)
            .motor_position(0.0, h.neck_stiffness, h.neck_damping)
            .motor_max_force(h.neck_max_torque);
        world
            .multibody_joints
            .insert(thorax, head, neck_joint, true)
            .expect("neck joins the thorax tree");

        let geom = spec.geometry();
        let mut links = [[thorax; 3]; 6];
        let mut feet = [c_thorax; 6];
        for leg in LegId::ALL {
            let g = &geom.legs[leg.index()];
            let d = g.direction(0.0);
            let u = Vector::new(d[0], d[1], 0.0);
            let s = leg.side().sign();
            // Joint axes chosen so that positive angles mean protraction, levation, flexion on
            // both sides (anatomy.rs conventions).
            let axes = [
                Vector::new(0.0, 0.0, -s),
                u.cross(Vector::Z),
                Vector::Z.cross(u),
            ];
            let lengths = [l.coxa_length, l.femur_length, l.tibia_length];
            let masses = [l.coxa_mass, l.femur_mass, l.tibia_mass];
            let limits = [l.coxa_limits_deg, l.femur_limits_deg, l.tibia_limits_deg];
            let mut parent = thorax;
            let mut anchor = v3(g.mount);
            let mut origin = v3(g.mount);
            for j in 0..3 {
                let link = world.bodies.insert(dynamic(origin));
                let len = lengths[j];
                world.colliders.insert_with_parent(
                    ColliderBuilder::capsule_from_endpoints(
                        Vector::ZERO,
                        u * len,
                        l.segment_radius,
                    )
                    .mass(masses[j])
                    .collision_groups(no_groups),
                    link,
                    &mut world.bodies,
                );
                let joint = RevoluteJointBuilder::new(axes[j])
                    .local_anchor1(anchor)
                    .local_anchor2(Vector::ZERO)
                    .limits([limits[j][0].to_radians(), limits[j][1].to_radians()])
                    .motor_model(MotorModel::ForceBased)
                    .motor_position(stand.legs[leg.index()][j], l.stiffness[j], l.damping[j])
                    .motor_max_force(l.max_torque[j]);
                world
                    .multibody_joints
                    .insert(parent, link, joint, true)
                    .expect("leg joins the thorax tree");
                links[leg.index()][j] = link;
                parent = link;
                anchor = u * len;
                origin += u * len;
            }
            feet[leg.index()] = world.colliders.insert_with_parent(
                ColliderBuilder::ball(l.tarsus_radius)
                    .translation(u * l.tibia_length)
                    .density(0.0)
                    .friction(spec.physics.friction)
                    .collision_groups(foot_groups),
                links[leg.index()][2],
                &mut world.bodies,
            );
        }

        let body = Body {
            spec: spec.clone(),
            thorax,
            head,
            links,
            feet,
            body_colliders: [c_head, c_thorax, c_abdomen],
            proboscis: 0.0,
        };
        body.set_joint_positions(world, stand);
        body
    }

    /// Moves every joint to `q` instantly (used once, to start in the standing pose).
    fn set_joint_positions(&self, world: &mut PhysicsWorld, q: &JointTargets) {
        let mut moves: Vec<(RigidBodyHandle, f32)> = vec![(self.head, q.neck)];
        for leg in LegId::ALL {
            for j in 0..3 {
                moves.push((self.links[leg.index()][j], q.legs[leg.index()][j]));
            }
        }
        let mb_index = world
            .multibody_joints
            .rigid_body_link(self.thorax)
            .expect("thorax is a multibody root")
            .multibody;
        for (rb, angle) in moves {
            let link_id = world.multibody_joints.rigid_body_link(rb).expect("link").id;
            let mb = world
                .multibody_joints
                .get_multibody_mut(mb_index)
                .expect("multibody");
            mb.link_mut(link_id)
                .expect("link")
                .joint
                .apply_displacement(&[angle]);
        }
        let mb = world
            .multibody_joints
            .get_multibody_mut(mb_index)
            .expect("multibody");
        mb.forward_kinematics(&world.bodies, true);
        mb.update_rigid_bodies(&mut world.bodies, true);
    }

    /// The (scaled) body description.
    pub fn spec(&self) -> &BodySpec {
        &self.spec
    }

    /// Handle of the thorax (the multibody root).
    pub fn thorax(&self) -> RigidBodyHandle {
        self.thorax
    }

    /// Collider handles of the tarsi, per leg.
    pub fn feet(&self) -> &[ColliderHandle; 6] {
        &self.feet
    }

    /// Every rigid body of the robot with its name: thorax, head, then each leg's coxa,
    /// femur and tibia (from the thorax outwards).
    pub fn parts(&self) -> impl Iterator<Item = (BodyPart, RigidBodyHandle)> + '_ {
        [(BodyPart::Thorax, self.thorax), (BodyPart::Head, self.head)]
            .into_iter()
            .chain(LegId::ALL.into_iter().flat_map(move |leg| {
                state::LegSegment::ALL
                    .into_iter()
                    .enumerate()
                    .map(move |(j, seg)| (BodyPart::Leg(leg, seg), self.links[leg.index()][j]))
            }))
    }

    /// Collider handles of head, thorax, abdomen.
    pub fn body_colliders(&self) -> &[ColliderHandle; 3] {
        &self.body_colliders
    }

    /// Sets every joint motor's target and advances the proboscis towards its target by `dt`.
    pub fn apply_targets(&mut self, world: &mut PhysicsWorld, t: &JointTargets, dt: f32) {
        let l = &self.spec.legs;
        let h = &self.spec.head;
        let mut set = |rb: RigidBodyHandle, target: f32, k: f32, c: f32| {
            if let Some((mb, id)) = world.multibody_joints.get_mut(MultibodyJointHandle(rb.0))
                && let Some(link) = mb.link_mut(id)
            {
                link.joint
                    .data
                    .set_motor_position(JointAxis::AngX, target, k, c);
            }
        };
        set(self.head, t.neck, h.neck_stiffness, h.neck_damping);
        for leg in 0..6 {
            for j in 0..3 {
                set(
                    self.links[leg][j],
                    t.legs[leg][j],
                    l.stiffness[j],
                    l.damping[j],
                );
            }
        }
        // The proboscis is a kinematic sensor segment: it follows its target at a bounded speed.
        let step = 4.0 * dt;
        self.proboscis += (t.proboscis.clamp(0.0, 1.0) - self.proboscis).clamp(-step, step);
    }

    fn joint_angle(&self, world: &PhysicsWorld, rb: RigidBodyHandle) -> f32 {
        world
            .multibody_joints
            .get(MultibodyJointHandle(rb.0))
            .and_then(|(mb, id)| mb.link(id))
            .map(|link| link.joint.coords()[3])
            .unwrap_or(0.0)
    }

    /// Measured joint angles, per leg (coxa, femur, tibia), radians.
    pub fn leg_angles(&self, world: &PhysicsWorld) -> [[f32; 3]; 6] {
        self.links
            .map(|leg| leg.map(|rb| self.joint_angle(world, rb)))
    }

    /// Measured neck pitch, radians.
    pub fn neck_angle(&self, world: &PhysicsWorld) -> f32 {
        self.joint_angle(world, self.head)
    }

    /// Proboscis extension, 0..1.
    pub fn proboscis(&self) -> f32 {
        self.proboscis
    }

    /// Thorax pose (world).
    pub fn thorax_pose(&self, world: &PhysicsWorld) -> Pose {
        *world.bodies[self.thorax].position()
    }

    /// Position, roll, pitch, yaw of the thorax.
    pub fn pose(&self, world: &PhysicsWorld) -> BodyPose {
        let p = self.thorax_pose(world);
        let (yaw, pitch, roll) = p.rotation.to_euler(rapier3d::glamx::EulerRot::ZYX);
        BodyPose {
            position: [p.translation.x, p.translation.y, p.translation.z],
            rpy: [roll, pitch, yaw],
        }
    }

    /// World position of a point given in the head frame at neck angle 0 (thorax coordinates).
    pub fn head_point(&self, world: &PhysicsWorld, p0: [f32; 3]) -> Vector {
        let head = world.bodies[self.head].position();
        head.transform_point(v3(p0) - v3(self.spec.head.neck))
    }

    /// World position of the antenna on `side`.
    pub fn antenna(&self, world: &PhysicsWorld, side: Side) -> Vector {
        self.head_point(world, self.spec.head.antennae[side.index()])
    }

    /// World position of the eye on `side`.
    pub fn eye(&self, world: &PhysicsWorld, side: Side) -> Vector {
        self.head_point(world, self.spec.head.eyes[side.index()])
    }

    /// World position of the head centre.
    pub fn head_center(&self, world: &PhysicsWorld) -> Vector {
        self.head_point(world, self.spec.head.center)
    }

    /// World position of the proboscis tip at its current extension.
    pub fn proboscis_tip(&self, world: &PhysicsWorld) -> Vector {
        let p = &self.spec.proboscis;
        let d = p.direction;
        let len = p.length * self.proboscis;
        self.head_point(
            world,
            [
                p.base[0] + d[0] * len,
                p.base[1] + d[1] * len,
                p.base[2] + d[2] * len,
            ],
        )
    }

    /// World position of each tarsus contact centre.
    pub fn feet_positions(&self, world: &PhysicsWorld) -> [Vector; 6] {
        self.feet.map(|c| world.colliders[c].position().translation)
    }

    /// Whether each tarsus touches anything (ground, terrain, obstacle).
    pub fn foot_contacts(&self, world: &PhysicsWorld) -> [bool; 6] {
        self.feet.map(|c| {
            world
                .narrow_phase
                .contact_pairs_with(c)
                .any(|p| p.has_any_active_contact())
        })
    }

    /// Linear velocity of the thorax (world).
    pub fn linvel(&self, world: &PhysicsWorld) -> Vector {
        world.bodies[self.thorax].linvel()
    }

    /// Angular velocity of the thorax (world).
    pub fn angvel(&self, world: &PhysicsWorld) -> Vector {
        world.bodies[self.thorax].angvel()
    }
}
