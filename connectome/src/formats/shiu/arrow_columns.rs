//! Typed access to Arrow record-batch columns for the parquet and feather loaders.
//!
//! Published files were written by pandas/pyarrow, whose column types depend on how the
//! frame was built (int64 normally, float64 when a column once held NaN, int32 after a
//! downcast). These helpers accept any of them but never silently change a value: a
//! float that is not a whole number, or a null, is an error naming the row and column.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Schema};

use crate::{LoadError, Location};

/// Index of `name` in `schema`, or a [`LoadError::MissingColumn`] listing what is there.
pub(crate) fn require_column(
    schema: &Schema,
    name: &str,
    file: &Path,
    expected: &str,
) -> Result<usize, LoadError> {
    schema.index_of(name).map_err(|_| LoadError::MissingColumn {
        location: Location::file(file).into(),
        column: name.to_owned(),
        found: schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>()
            .join(", "),
        expected: expected.to_owned(),
    })
}

/// Column `col` of `batch` as int64. `first_row` is the 0-based file row of the batch's
/// first row, so errors name the row a user sees in pandas (`df.iloc[row]`).
pub(crate) fn int64_column(
    batch: &RecordBatch,
    col: usize,
    file: &Path,
    first_row: u64,
) -> Result<Int64Array, LoadError> {
    let name = batch.schema().field(col).name().clone();
    let array: &ArrayRef = batch.column(col);
    // Parquet/feather have rows, not lines: the row goes in the message, 0-based as pandas
    // numbers it, so `Location::line` (which counts a CSV header) stays empty.
    let at = |_row: usize| Location::file(file).at_column(name.clone());
    if let Some(row) = first_null(array.as_ref()) {
        return Err(LoadError::invalid(
            at(row),
            format!(
                "row {}: empty (null) value; expected an integer",
                first_row + row as u64
            ),
        ));
    }
    let dt = array.data_type().clone();
    match dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            let cast = arrow_cast::cast(array, &DataType::Int64).map_err(|e| {
                LoadError::invalid(Location::file(file).at_column(name.clone()), e.to_string())
            })?;
            Ok(cast.as_primitive::<Int64Type>().clone())
        }
        DataType::UInt64 => {
            let a = array.as_primitive::<arrow_array::types::UInt64Type>();
            let mut out = Vec::with_capacity(a.len());
            for (row, &v) in a.values().iter().enumerate() {
                let v = i64::try_from(v).map_err(|_| {
                    LoadError::invalid(
                        at(row),
                        format!(
                            "row {}: {v} does not fit a signed 64-bit integer",
                            first_row + row as u64
                        ),
                    )
                })?;
                out.push(v);
            }
            Ok(Int64Array::from(out))
        }
        DataType::Float32 | DataType::Float64 => {
            let values: Vec<f64> = if dt == DataType::Float32 {
                array
                    .as_primitive::<Float32Type>()
                    .values()
                    .iter()
                    .map(|&v| v as f64)
                    .collect()
            } else {
                array.as_primitive::<Float64Type>().values().to_vec()
            };
            let mut out = Vec::with_capacity(values.len());
            for (row, v) in values.into_iter().enumerate() {
                // 2^63 bound: larger floats cannot be exact ids or counts anyway.
                if v.fract() != 0.0 || !v.is_finite() || v.abs() >= 9.2e18 {
                    return Err(LoadError::invalid(
                        at(row),
                        format!("row {}: {v} is not a whole number", first_row + row as u64),
                    ));
                }
                out.push(v as i64);
            }
            Ok(Int64Array::from(out))
        }
        other => Err(LoadError::invalid(
            Location::file(file).at_column(name),
            format!("column has type {other}; expected integers (int64 as pandas writes them)"),
        )),
    }
}

/// Column `col` of `batch` as f64, nulls read as 0 (pyarrow writes NaN-free probability
/// columns, but a user-filtered file may hold nulls; they carry no evidence either way).
pub(crate) fn f64_column(
    batch: &RecordBatch,
    col: usize,
    file: &Path,
) -> Result<Vec<f64>, LoadError> {
    let array = batch.column(col);
    let name = batch.schema().field(col).name().clone();
    let cast: ArrayRef = match array.data_type() {
        DataType::Float64 => Arc::clone(array),
        DataType::Float16
        | DataType::Float32
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64 => arrow_cast::cast(array, &DataType::Float64).map_err(|e| {
            LoadError::invalid(Location::file(file).at_column(name.clone()), e.to_string())
        })?,
        other => {
            return Err(LoadError::invalid(
                Location::file(file).at_column(name),
                format!("column has type {other}; expected floating-point probabilities"),
            ));
        }
    };
    let a = cast.as_primitive::<Float64Type>();
    Ok((0..a.len())
        .map(|i| {
            if a.is_null(i) || a.value(i).is_nan() {
                0.0
            } else {
                a.value(i)
            }
        })
        .collect())
}

fn first_null(array: &dyn Array) -> Option<usize> {
    if array.null_count() == 0 {
        return None;
    }
    (0..array.len()).find(|&i| array.is_null(i))
}
