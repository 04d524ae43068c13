//! Keys and mouse to [`Command`]s, and the selector panel: Tab opens it, a line such as
//! `activate type=DNa02 & side=left 80`, `silence type=DNp01` or `restore type=DNp01` is sent with
//! Enter (the selector syntax is the one used everywhere), Esc closes it.

use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use crate::app::{Sim, to_sim};
use crate::frame::{Command, Side};

pub(crate) struct ControlsPlugin;

impl Plugin for ControlsPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(Typing(false))
            .add_systems(Startup, spawn_panel)
            .add_systems(Update, (panel, keys, drop_food).chain());
    }
}

/// Whether the selector panel has the keyboard.
#[derive(Resource)]
pub(crate) struct Typing(pub bool);

#[derive(Component)]
struct PanelText;

#[derive(Resource, Default)]
struct Line(String);

/// Speeds the +/- keys step through, simulated seconds per wall second.
const SPEEDS: [f32; 9] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 100.0];

/// Parses a line of the selector panel.
pub fn parse_panel(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let need = |what: &str| format!("`{verb}` needs a selector, e.g. `{verb} {what}`");
    match verb {
        "activate" => {
            // A trailing number is the rate; without one, 100 Hz.
            let (sel, rate) = match rest.rsplit_once(char::is_whitespace) {
                Some((s, r)) if r.parse::<f64>().is_ok() => {
                    (s.trim(), r.parse::<f64>().unwrap_or(0.0))
                }
                _ => (rest, 100.0),
            };
            if sel.is_empty() {
                return Err(need("type=DNa02 & side=left 80"));
            }
            if !(rate.is_finite() && rate >= 0.0) {
                return Err(format!("rate must be a number of Hz >= 0, got {rate}"));
            }
            Ok(Command::Activate {
                selector: sel.into(),
                rate_hz: rate,
            })
        }
        "silence" | "restore" if rest.is_empty() => Err(need("type=DNp01")),
        "silence" | "restore" => Ok(Command::Silence {
            selector: rest.into(),
            on: verb == "silence",
        }),
        "" => Err("type `activate SELECTOR [HZ]`, `silence SELECTOR` or `restore SELECTOR`".into()),
        other => Err(format!(
            "unknown command `{other}`: use activate, silence or restore"
        )),
    }
}

fn spawn_panel(mut commands: Commands) {
    commands.insert_resource(Line::default());
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: Val::Px(64.0),
                right: Val::Px(8.0),
                width: Val::Px(460.0),
                padding: UiRect::all(Val::Px(6.0)),
                ..default()
            },
            BackgroundColor(Color::srgba(0.05, 0.06, 0.08, 0.85)),
            Visibility::Hidden,
            PanelText,
        ))
        .with_child((
            Text::new(""),
            TextFont::from_font_size(13.0),
            TextColor(Color::WHITE),
        ));
}

fn panel(
    mut typing: ResMut<Typing>,
    mut line: ResMut<Line>,
    mut input: MessageReader<KeyboardInput>,
    sim: Res<Sim>,
    mut latest: ResMut<crate::app::Latest>,
    mut boxes: Query<(&mut Visibility, &Children), With<PanelText>>,
    mut texts: Query<&mut Text>,
) {
    for ev in input.read() {
        if !ev.state.is_pressed() {
            continue;
        }
        if !typing.0 {
            if ev.key_code == KeyCode::Tab {
                typing.0 = true;
            }
            continue;
        }
        match &ev.logical_key {
            Key::Escape | Key::Tab => typing.0 = false,
            Key::Enter => match parse_panel(&line.0) {
                Ok(c) => {
                    sim.send(c);
                    line.0.clear();
                }
                Err(e) => latest.status = e,
            },
            Key::Backspace => {
                line.0.pop();
            }
            Key::Space => line.0.push(' '),
            Key::Character(s) => line.0.push_str(s),
            _ => {}
        }
    }
    for (mut vis, children) in &mut boxes {
        *vis = if typing.0 {
            Visibility::Visible
        } else {
            Visibility::Hidden
        };
        for c in children.iter() {
            if let Ok(mut t) = texts.get_mut(c) {
                t.0 = format!("> {}_", line.0);
            }
        }
    }
}

fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    typing: Res<Typing>,
    sim: Res<Sim>,
    latest: Res<crate::app::Latest>,
    mut exit: MessageWriter<AppExit>,
) {
    if typing.0 {
        return;
    }
    if keys.just_pressed(KeyCode::KeyQ) {
        // Closing ends the simulation thread, which then writes the run folder (--out).
        exit.write(AppExit::Success);
        return;
    }
    let speed = latest.frame.speed;
    let i = SPEEDS
        .iter()
        .position(|&s| s >= speed - 1e-6)
        .unwrap_or(SPEEDS.len() - 1);
    for k in keys.get_just_pressed() {
        let c = match k {
            KeyCode::Space => Command::TogglePause,
            KeyCode::Period => Command::Step,
            KeyCode::Equal | KeyCode::NumpadAdd => {
                Command::Speed(SPEEDS[(i + 1).min(SPEEDS.len() - 1)])
            }
            KeyCode::Minus | KeyCode::NumpadSubtract => Command::Speed(SPEEDS[i.saturating_sub(1)]),
            KeyCode::KeyL => Command::Loom(Side::Left),
            KeyCode::KeyR => Command::Loom(Side::Right),
            KeyCode::KeyD => Command::Dust,
            _ => continue,
        };
        sim.send(c);
    }
}

/// F drops food where the mouse points on the ground plane.
fn drop_food(
    keys: Res<ButtonInput<KeyCode>>,
    typing: Res<Typing>,
    sim: Res<Sim>,
    windows: Query<&Window, With<PrimaryWindow>>,
    cams: Query<(&Camera, &GlobalTransform)>,
) {
    if typing.0 || !keys.just_pressed(KeyCode::KeyF) {
        return;
    }
    let Some(cursor) = windows.iter().next().and_then(|w| w.cursor_position()) else {
        return;
    };
    for (camera, at) in &cams {
        let Ok(ray) = camera.viewport_to_world(at, cursor) else {
            continue;
        };
        // Ground plane y = 0 (Bevy): the ray's parameter where it crosses it.
        if ray.direction.y.abs() < 1e-6 {
            continue;
        }
        let s = -ray.origin.y / ray.direction.y;
        if s > 0.0 {
            let p = to_sim(ray.origin + ray.direction * s);
            sim.send(Command::DropFood([p[0], p[1]]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_lines_become_commands() {
        assert_eq!(
            parse_panel("activate type=DNa02 & side=left 80"),
            Ok(Command::Activate {
                selector: "type=DNa02 & side=left".into(),
                rate_hz: 80.0
            })
        );
        assert_eq!(
            parse_panel("activate DNp01"),
            Ok(Command::Activate {
                selector: "DNp01".into(),
                rate_hz: 100.0
            })
        );
        assert_eq!(
            parse_panel(" silence  DNp01 "),
            Ok(Command::Silence {
                selector: "DNp01".into(),
                on: true
            })
        );
        assert_eq!(
            parse_panel("restore DNp01"),
            Ok(Command::Silence {
                selector: "DNp01".into(),
                on: false
            })
        );
        assert!(
            parse_panel("silence")
                .unwrap_err()
                .contains("needs a selector")
        );
        assert!(
            parse_panel("jump DNp01")
                .unwrap_err()
                .contains("unknown command `jump`")
        );
        assert!(parse_panel("activate DNp01 -5").is_err());
    }
}
