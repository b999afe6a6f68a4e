//! JSON text → Python objects, exactly as `json.loads` builds them: objects become `dict`s
//! with their members in file order, integers `int`, other numbers `float`, `null` `None`.
//!
//! A serde visitor builds the Python objects directly while serde_json parses, so no
//! intermediate `serde_json::Value` (whose map would sort the keys) is made.

use std::fmt;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// Parses one JSON document into Python objects.
pub fn loads<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let value = PythonValue(py)
        .deserialize(&mut deserializer)
        .map_err(|error| PyValueError::new_err(format!("invalid JSON: {error}")))?;
    deserializer
        .end()
        .map_err(|error| PyValueError::new_err(format!("invalid JSON: {error}")))?;
    Ok(value)
}

#[derive(Clone, Copy)]
struct PythonValue<'py>(Python<'py>);

fn python_error<E: de::Error>(error: PyErr) -> E {
    E::custom(error.to_string())
}

impl<'de, 'py> DeserializeSeed<'de> for PythonValue<'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for PythonValue<'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.0.None().into_bound(self.0))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyBool::new(self.0, value)
            .to_owned()
            .into_any())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(match value.into_pyobject(self.0) {
            Ok(object) => object.into_any(),
            Err(never) => match never {},
        })
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(match value.into_pyobject(self.0) {
            Ok(object) => object.into_any(),
            Err(never) => match never {},
        })
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(match value.into_pyobject(self.0) {
            Ok(object) => object.into_any(),
            Err(never) => match never {},
        })
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyString::new(self.0, value).into_any())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.0);
        while let Some(item) = sequence.next_element_seed(self)? {
            list.append(item).map_err(python_error)?;
        }
        Ok(list.into_any())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.0);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let value = map.next_value_seed(self)?;
            dict.set_item(key.as_ref(), value).map_err(python_error)?;
        }
        Ok(dict.into_any())
    }
}
