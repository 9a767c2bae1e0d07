//! Baking.
