// The ground in light mode: its vertex colour (sand, violet where odor is) under one
// directional light and an ambient term, nothing else. A software rasteriser runs this per
// pixel over most of the picture, where Bevy's standard material costs ~7x more even unlit.
#import bevy_pbr::forward_io::VertexOutput

struct GroundShade {
    // Towards the light, world space (xyz); w unused.
    to_light: vec4<f32>,
    // Ambient share (x) and direct share (y) of the colour.
    weights: vec4<f32>,
};

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> shade: GroundShade;

@fragment
fn fragment(mesh: VertexOutput) -> @location(0) vec4<f32> {
#ifdef VERTEX_COLORS
    let base = mesh.color.rgb;
#else
    let base = vec3<f32>(0.74, 0.69, 0.58);
#endif
    let lambert = max(dot(normalize(mesh.world_normal), shade.to_light.xyz), 0.0);
    return vec4<f32>(base * (shade.weights.x + shade.weights.y * lambert), 1.0);
}
