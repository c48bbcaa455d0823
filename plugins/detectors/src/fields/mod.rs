//! Classification of record attributes (to be written).
