use mcp_runtime::prelude::*;

#[derive(serde::Serialize)]
struct Weather {
    celsius: f64,
}

/// The weather.
#[tool]
async fn weather() -> Json<Weather> {
    Json(Weather { celsius: 20.0 })
}

fn main() {}
