//! How a failed DynamoDB call becomes a [`PortError`]: a failed condition
//! is an answer, a validation error an invalid request, anything else
//! (after the SDK's retries) unavailability.

use lethe_core::ports::PortError;

use super::codec::PORT;
use crate::error::{failure, unavailable};

/// Maps a failed write: a failed condition is an answer, a validation
/// error is an invalid request, anything else is unavailability.
pub(super) fn write_error<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(
    call: &str,
    err: &aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> PortError {
    let f = failure(err);
    if f.is("ConditionalCheckFailedException") {
        PortError::ConditionFailed { what: "record" }
    } else if f.is("ValidationException") {
        PortError::invalid(PORT, format!("DynamoDB refused the {call} as invalid"))
    } else {
        unavailable(PORT, call, &f)
    }
}

/// Maps a failed read.
pub(super) fn read_error<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(
    call: &str,
    err: &aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> PortError {
    let f = failure(err);
    if f.is("ValidationException") {
        PortError::invalid(PORT, format!("DynamoDB refused the {call} as invalid"))
    } else {
        unavailable(PORT, call, &f)
    }
}
