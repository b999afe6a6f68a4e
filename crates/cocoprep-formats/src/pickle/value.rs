//! A tree of Python values and its writer.

use std::borrow::Cow;
use std::io::{self, Write};

use rustc_hash::FxHashMap;

use super::pickler::{MemoId, Pickler};

/// A Python value to pickle.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `tuple`.
    Tuple(Vec<Value>),
    /// `list`.
    List(Vec<Value>),
    /// `dict`, items in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A class or function, referred to by module and name.
    Global(Global),
    /// An object rebuilt through `__reduce__` (see [`Object`]).
    Object(Box<Object>),
}

/// A class or function by module and name: `collections.defaultdict`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    /// The module, as protocol 2 names it (`__builtin__` for Python 3's `builtins`).
    pub module: Cow<'static, str>,
    /// The attribute.
    pub name: Cow<'static, str>,
}

impl Global {
    /// `float` (the default factory of a `defaultdict(float)`).
    pub const FLOAT: Global = Global::new("__builtin__", "float");
    /// `collections.defaultdict`.
    pub const DEFAULT_DICT: Global = Global::new("collections", "defaultdict");

    /// A global from static names.
    pub const fn new(module: &'static str, name: &'static str) -> Self {
        Self {
            module: Cow::Borrowed(module),
            name: Cow::Borrowed(name),
        }
    }
}

/// An object Python rebuilds as `__reduce__` describes it: `callable(*arguments)`, then
/// `BUILD` with `state` if any, then the `dict_items` set on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// What to call: usually a [`Value::Global`].
    pub callable: Value,
    /// The positional arguments.
    pub arguments: Vec<Value>,
    /// Passed to `__setstate__` (NumPy arrays keep their shape, dtype and data here).
    pub state: Option<Value>,
    /// Items set with `obj[key] = value` after construction (dict subclasses).
    pub dict_items: Vec<(Value, Value)>,
}

impl Value {
    /// `collections.defaultdict(float, items)`: what CIDEr's document frequencies are.
    /// Python pickles a defaultdict as `defaultdict(float)` followed by its items.
    pub fn default_dict_of_floats(items: Vec<(Value, Value)>) -> Value {
        Value::Object(Box::new(Object {
            callable: Value::Global(Global::DEFAULT_DICT),
            arguments: vec![Value::Global(Global::FLOAT)],
            state: None,
            dict_items: items,
        }))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Str(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Str(value)
    }
}

/// Pickles `value` onto `out` (protocol 2) and returns the writer.
///
/// Equal strings are stored once and shared, as they are in a pickle CPython makes of
/// objects that share their strings.
pub fn to_writer<W: Write>(out: W, value: &Value) -> io::Result<W> {
    to_writer_with_protocol(out, value, 2)
}

/// Pickles `value` onto `out` with protocol 2 or 3 (see [`Pickler::with_protocol`]).
pub fn to_writer_with_protocol<W: Write>(out: W, value: &Value, protocol: u8) -> io::Result<W> {
    let mut pickler = Pickler::with_protocol(out, protocol)?;
    write(&mut pickler, value)?;
    pickler.finish()
}

/// Writes `value` as the next value of a pickle being written opcode by opcode, so a
/// streamed pickle can hold [`Value`] trees (such as NumPy arrays) among its items.
pub fn write<W: Write>(pickler: &mut Pickler<W>, value: &Value) -> io::Result<()> {
    write_value(pickler, &mut FxHashMap::default(), value)
}

/// Pickles `value` into memory.
pub fn to_vec(value: &Value) -> io::Result<Vec<u8>> {
    to_writer(Vec::new(), value)
}

/// Memo slots of the strings written so far.
type StringMemo<'v> = FxHashMap<&'v str, MemoId>;

fn write_value<'v, W: Write>(
    pickler: &mut Pickler<W>,
    strings: &mut StringMemo<'v>,
    value: &'v Value,
) -> io::Result<()> {
    match value {
        Value::None => pickler.none(),
        Value::Bool(value) => pickler.bool(*value),
        Value::Int(value) => pickler.int(*value),
        Value::Float(value) => pickler.float(*value),
        Value::Str(value) => match strings.get(value.as_str()) {
            Some(&id) => pickler.get(id),
            None => {
                pickler.str(value)?;
                strings.insert(value, pickler.memoize()?);
                Ok(())
            }
        },
        Value::Bytes(value) => pickler.bytes(value),
        Value::Tuple(items) => write_tuple(pickler, strings, items),
        Value::List(items) => {
            pickler.empty_list()?;
            pickler.append_items(items, |pickler, item| write_value(pickler, strings, item))
        }
        Value::Dict(items) => {
            pickler.empty_dict()?;
            write_dict_items(pickler, strings, items)
        }
        Value::Global(global) => pickler.global(&global.module, &global.name),
        Value::Object(object) => {
            let Object {
                callable,
                arguments,
                state,
                dict_items,
            } = &**object;
            write_value(pickler, strings, callable)?;
            write_tuple(pickler, strings, arguments)?;
            pickler.reduce()?;
            if let Some(state) = state {
                write_value(pickler, strings, state)?;
                pickler.build()?;
            }
            write_dict_items(pickler, strings, dict_items)
        }
    }
}

fn write_tuple<'v, W: Write>(
    pickler: &mut Pickler<W>,
    strings: &mut StringMemo<'v>,
    items: &'v [Value],
) -> io::Result<()> {
    pickler.begin_tuple(items.len())?;
    for item in items {
        write_value(pickler, strings, item)?;
    }
    pickler.end_tuple(items.len())
}

fn write_dict_items<'v, W: Write>(
    pickler: &mut Pickler<W>,
    strings: &mut StringMemo<'v>,
    items: &'v [(Value, Value)],
) -> io::Result<()> {
    pickler.set_items(items, |pickler, (key, value)| {
        write_value(pickler, strings, key)?;
        write_value(pickler, strings, value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_dict_matches_cpython_layout() {
        // CPython 3.11: pickle.dumps(defaultdict(float, {('a',): 1.0}), 2), memo puts removed
        // (CPython also memoizes the globals and the tuple; loading does not depend on it).
        let value = Value::default_dict_of_floats(vec![(
            Value::Tuple(vec![Value::from("a")]),
            Value::Float(1.0),
        )]);
        assert_eq!(
            to_vec(&value).unwrap(),
            b"\x80\x02ccollections\ndefaultdict\nc__builtin__\nfloat\n\x85R\
              (X\x01\x00\x00\x00aq\x00\x85G?\xf0\x00\x00\x00\x00\x00\x00u."
        );
    }

    #[test]
    fn repeated_strings_are_shared() {
        let value = Value::List(vec![Value::from("word"), Value::from("word")]);
        let bytes = to_vec(&value).unwrap();
        assert_eq!(bytes.windows(4).filter(|w| *w == b"word").count(), 1);
        assert!(bytes.ends_with(b"q\x00h\x00e."));
    }
}
