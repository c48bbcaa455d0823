//! A borrowed view of one scalar value of a flattened item.

/// One scalar of a flattened item, borrowed from wherever the caller keeps it.
///
/// The same five shapes as the contract's `scalar` variant (`wit/plugin.wit`),
/// so the field-map plugins convert the WIT value without copying, and the
/// host converts its own JSON the same way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// JSON `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as its exact decimal text.
    Number(&'a str),
    /// A string.
    Text(&'a str),
    /// Raw bytes.
    Bytes(&'a [u8]),
}
