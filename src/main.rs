//! Binary entry point that Trunk builds; all of the app lives in the library so that
//! browser tests can mount the same components.

fn main() {
    queue_playground::start();
}
