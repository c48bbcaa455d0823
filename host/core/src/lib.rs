//! Lethe core (to be written).
