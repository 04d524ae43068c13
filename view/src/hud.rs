//! On-screen panels: the behaviour and why (the arbiter's inputs, each marked connectome or
//! engineered), internal-state bars, readout bars per descending-neuron group, a banner
//! when the wiring is synthetic, and a status line with time, speed and the controls.

use bevy::prelude::*;

use crate::app::{Latest, Scene};
use crate::frame::{Gauge, Link};

pub(crate) struct HudPlugin;

impl Plugin for HudPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn)
            .add_systems(Update, (update_text, update_bars));
    }
}

/// Which text a node shows.
#[derive(Component, Clone, Copy)]
enum Label {
    Behaviour,
    Status,
    Clock,
}

/// Which value a bar shows.
#[derive(Component, Clone, Copy)]
enum Bar {
    Internal(usize),
    Drive(usize),
    Readout(usize),
}

/// The numeric value next to a bar.
#[derive(Component, Clone, Copy)]
struct BarValue(Bar);

const PANEL: Color = Color::srgba(0.05, 0.06, 0.08, 0.78);
const CONNECTOME: Color = Color::srgb(0.35, 0.8, 0.45);
const ENGINEERED: Color = Color::srgb(0.95, 0.6, 0.2);
const INTERNAL: [Color; 3] = [
    Color::srgb(0.9, 0.75, 0.2),
    Color::srgb(0.65, 0.5, 0.35),
    Color::srgb(0.85, 0.3, 0.3),
];

fn font(size: f32) -> TextFont {
    TextFont::from_font_size(size)
}

fn link_colour(l: Link) -> Color {
    match l {
        Link::Connectome => CONNECTOME,
        Link::Engineered => ENGINEERED,
    }
}

fn link_tag(l: Link) -> &'static str {
    match l {
        Link::Connectome => "[C]",
        Link::Engineered => "[E]",
    }
}

fn spawn(mut commands: Commands, scene: Res<Scene>) {
    let s = &scene.0;
    if s.synthetic {
        commands.spawn((
            Node {
                position_type: PositionType::Absolute,
                top: Val::Px(0.0),
                left: Val::Px(346.0),
                right: Val::Px(500.0),
                padding: UiRect::all(Val::Px(6.0)),
                justify_content: JustifyContent::Center,
                ..default()
            },
            BackgroundColor(Color::srgba(0.75, 0.1, 0.1, 0.9)),
            children![(
                Text::new(banner(&s.wiring_note)),
                font(12.0),
                TextColor(Color::WHITE),
            )],
        ));
    }
    // Left panel: what the robot does and why, and the quantities it decides from.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                top: Val::Px(8.0),
                left: Val::Px(8.0),
                width: Val::Px(330.0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(Val::Px(8.0)),
                row_gap: Val::Px(2.0),
                ..default()
            },
            BackgroundColor(PANEL),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new(s.dataset.clone()),
                font(11.0),
                TextColor(Color::srgb(0.8, 0.8, 0.85)),
            ));
            p.spawn((
                Text::new("waiting for the simulation"),
                font(18.0),
                TextColor(Color::WHITE),
                Label::Behaviour,
            ));
            heading(p, "arbiter inputs (drives)  [C] connectome  [E] engineered");
            for (i, g) in s.drives.iter().enumerate() {
                bar_row(p, g, Bar::Drive(i));
            }
            heading(p, "internal state");
            for (i, name) in ["hunger", "dust", "arousal"].iter().enumerate() {
                let g = Gauge {
                    name: (*name).into(),
                    link: Link::Engineered,
                    full_scale: 1.0,
                };
                bar_row(p, &g, Bar::Internal(i));
            }
            heading(p, "descending-neuron readouts (Hz above baseline)");
            for (i, g) in s.readouts.iter().enumerate() {
                bar_row(p, g, Bar::Readout(i));
            }
            heading(p, "links of the loop");
            for kind in ["sensor", "readout", "arbiter"] {
                let mut line = p.spawn((Text::new(format!("{kind}s:")), font(10.0)));
                for (_, name, link) in s.links.iter().filter(|l| l.0 == kind) {
                    line.with_child((
                        TextSpan::new(format!(" {}{name}", link_tag(*link))),
                        font(10.0),
                        TextColor(link_colour(*link)),
                    ));
                }
            }
        });
    // Bottom line: time, speed, last message, keys.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: Val::Px(0.0),
                left: Val::Px(0.0),
                width: Val::Percent(100.0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(Val::Px(8.0), Val::Px(4.0)),
                ..default()
            },
            BackgroundColor(PANEL),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new(""),
                font(13.0),
                TextColor(Color::WHITE),
                Label::Clock,
            ));
            p.spawn((
                Text::new(""),
                font(12.0),
                TextColor(Color::srgb(0.95, 0.9, 0.6)),
                Label::Status,
            ));
            p.spawn((
                Text::new(
                    "space pause | . step | +/- speed | L/R loom from left/right | D dust | \
                     F food at mouse | Tab selector panel | Q quit | drag orbit | wheel zoom",
                ),
                font(11.0),
                TextColor(Color::srgb(0.7, 0.7, 0.75)),
            ));
        });
}

/// The banner's words: what is synthetic, short enough for one or two lines (the whole
/// note is in every run's summary.json).
fn banner(note: &str) -> String {
    let first = note.split(';').next().unwrap_or(note).trim();
    let short: String = first.chars().take(110).collect();
    let cut = if short.len() < first.len() { "..." } else { "" };
    format!("SYNTHETIC WIRING - not the real connectome: {short}{cut}")
}

fn heading(p: &mut ChildSpawnerCommands, text: &str) {
    p.spawn((
        Text::new(text),
        font(11.0),
        TextColor(Color::srgb(0.6, 0.75, 0.95)),
        Node {
            margin: UiRect::top(Val::Px(6.0)),
            ..default()
        },
    ));
}

fn bar_row(p: &mut ChildSpawnerCommands, g: &Gauge, bar: Bar) {
    let colour = match bar {
        Bar::Internal(i) => INTERNAL[i],
        _ => link_colour(g.link),
    };
    let tag = match bar {
        Bar::Internal(_) => "",
        _ => link_tag(g.link),
    };
    p.spawn(Node {
        flex_direction: FlexDirection::Row,
        align_items: AlignItems::Center,
        column_gap: Val::Px(6.0),
        ..default()
    })
    .with_children(|row| {
        row.spawn((
            Text::new(format!("{tag}{}", g.name)),
            font(11.0),
            TextColor(colour),
            Node {
                width: Val::Px(150.0),
                overflow: Overflow::clip(),
                ..default()
            },
        ));
        row.spawn((
            Node {
                width: Val::Px(110.0),
                height: Val::Px(9.0),
                ..default()
            },
            BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.12)),
        ))
        .with_child((
            Node {
                width: Val::Percent(0.0),
                height: Val::Percent(100.0),
                ..default()
            },
            BackgroundColor(colour),
            bar,
        ));
        row.spawn((
            Text::new("0"),
            font(10.0),
            TextColor(Color::WHITE),
            BarValue(bar),
        ));
    });
}

fn value(latest: &Latest, scene: &Scene, bar: Bar) -> (f32, f32) {
    let f = &latest.frame;
    match bar {
        Bar::Internal(i) => (f.internal.get(i).copied().unwrap_or(0.0), 1.0),
        Bar::Drive(i) => (
            f.drives.get(i).copied().unwrap_or(0.0),
            scene.0.drives[i].full_scale,
        ),
        Bar::Readout(i) => (
            f.readouts.get(i).copied().unwrap_or(0.0),
            scene.0.readouts[i].full_scale,
        ),
    }
}

fn update_bars(
    latest: Res<Latest>,
    scene: Res<Scene>,
    mut fills: Query<(&Bar, &mut Node)>,
    mut values: Query<(&BarValue, &mut Text)>,
) {
    for (bar, mut node) in &mut fills {
        let (v, full) = value(&latest, &scene, *bar);
        // Signed drives (turn) fill by magnitude; the number keeps the sign.
        let frac = (v.abs() / full.max(1e-6)).clamp(0.0, 1.0);
        node.width = Val::Percent(100.0 * frac);
    }
    for (b, mut text) in &mut values {
        let (v, _) = value(&latest, &scene, b.0);
        text.0 = match b.0 {
            Bar::Internal(_) => format!("{v:.2}"),
            _ => format!("{v:.1}"),
        };
    }
}

fn update_text(latest: Res<Latest>, scene: Res<Scene>, mut texts: Query<(&Label, &mut Text)>) {
    let f = &latest.frame;
    for (label, mut text) in &mut texts {
        text.0 = match label {
            Label::Behaviour if latest.any => {
                format!("{}  ({})", f.behaviour.to_uppercase(), f.reason)
            }
            Label::Behaviour => continue,
            Label::Clock => format!(
                "t = {:.2} / {:.1} s   speed x{:.2} (reached x{:.2}){}",
                f.t_s,
                scene.0.duration_s,
                f.speed,
                f.achieved_speed,
                if f.paused { "   PAUSED" } else { "" }
            ),
            Label::Status => latest.status.clone(),
        };
    }
}
