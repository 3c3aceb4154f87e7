//! The canvas: any world drawn as one picture of boxes and edges, from the same world and at the
//! same time as everything else on the page.
//!
//! # Contract
//! - [`graph::graph`] places every node of any topology (pure, tested natively); [`Canvas`]
//!   draws it with each node's kind in words and its key numbers ([`numbers::lines`]), and
//!   what moved between two frames over it ([`flow`]).
//! - The learner zooms the drawing with its buttons, or fits it to the panel ([`zoom`]).
//! - The canvas never runs a world of its own: it reads the playground's (a panel's, or the main
//!   queue's: [`Shown`]), so time travel, links and lessons see the same numbers.

pub mod flow;
pub mod graph;
pub mod numbers;
mod view;
pub mod zoom;

pub use view::{draw, overlay, svg, Canvas, CanvasProps, Drawn, Shown};
