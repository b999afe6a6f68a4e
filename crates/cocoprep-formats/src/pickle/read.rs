//! Reading pickles of data (not code): protocols 0 to 5, Python 2 and 3.
//!
//! The files captioning code downloads were pickled by Python 2 (`vsua_box_info.pkl`,
//! SGAE's scene graphs) or Python 3, with NumPy arrays inside. [`Unpickler`] runs the
//! pickle machine over the bytes without executing anything: a call (`REDUCE`, `NEWOBJ`)
//! becomes an [`Object`](PickleValue::Object) node that records the callable, its
//! arguments and any state given to it by `BUILD`, and the caller interprets the ones it
//! knows (see [`super::numpy`]). Two calls are evaluated because Python 3 uses them to
//! pickle `bytes` under protocol 2: `_codecs.encode(text, 'latin1')` and `bytes()`.
//!
//! Values live in an arena and refer to each other by [`NodeId`], so objects shared
//! through the memo and mutated later (`BUILD` on a NumPy dtype that later arrays refer
//! to) are seen the way Python sees them. Byte strings are borrowed from the input, so a
//! memory-mapped multi-gigabyte pickle is not copied.
//!
//! Python 2 `str` values (opcodes `S`, `T`, `U`) are kept as raw bytes
//! ([`PickleValue::LegacyStr`]): [`PickleRef::as_str`] decodes them as Latin-1, as
//! `pickle.load(f, encoding='latin1')` does, and [`PickleRef::as_bytes`] returns them
//! unchanged, as NumPy does with array data.
//!
//! Opcodes: CPython's `Lib/pickle.py` and `Lib/pickletools.py`.

use std::borrow::Cow;

use crate::Error;

/// The index of a value in a [`Pickle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(usize);

/// One value of an unpickled object graph.
#[derive(Clone, Debug, PartialEq)]
pub enum PickleValue<'a> {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` that fits in 64 bits.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A Python 3 `str` / Python 2 `unicode`.
    Str(Cow<'a, str>),
    /// A Python 2 `str`: bytes whose meaning the reader chooses (see the module docs).
    LegacyStr(Cow<'a, [u8]>),
    /// `bytes` (or `bytearray`).
    Bytes(Cow<'a, [u8]>),
    /// A tuple.
    Tuple(Vec<NodeId>),
    /// A list.
    List(Vec<NodeId>),
    /// A dict, items in pickle order.
    Dict(Vec<(NodeId, NodeId)>),
    /// A module attribute (a class or a function), names as written in the pickle.
    Global {
        /// `numpy.core.multiarray`.
        module: Cow<'a, str>,
        /// `_reconstruct`.
        name: Cow<'a, str>,
    },
    /// The result of calling `callable(*arguments)`, then `BUILD`ing it with `state`,
    /// then setting `dict_items` / appending `list_items` on it.
    Object {
        /// What was called (usually a [`Global`](PickleValue::Global)).
        callable: NodeId,
        /// The argument tuple.
        arguments: NodeId,
        /// The `BUILD` state, if any.
        state: Option<NodeId>,
        /// Items set on the object (`SETITEMS` on a dict subclass).
        dict_items: Vec<(NodeId, NodeId)>,
        /// Items appended to the object (`APPENDS` on a list subclass).
        list_items: Vec<NodeId>,
    },
}

/// An unpickled object graph.
#[derive(Clone, Debug)]
pub struct Pickle<'a> {
    nodes: Vec<PickleValue<'a>>,
    root: NodeId,
}

impl<'a> Pickle<'a> {
    /// Unpickles `bytes` (the whole pickle; trailing bytes after `STOP` are ignored).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        Ok(Unpickler::new(bytes).run()?.0)
    }

    /// Unpickles the pickle at the start of `bytes` and returns it with the number of bytes
    /// it took (through `STOP`): files that hold several pickles one after the other
    /// (torch's legacy `.pth` format) are read one at a time.
    pub fn parse_prefix(bytes: &'a [u8]) -> Result<(Self, usize), Error> {
        Unpickler::new(bytes).run()
    }

    /// The top-level value.
    pub fn root(&self) -> PickleRef<'_, 'a> {
        self.get(self.root)
    }

    /// The value with id `id`.
    pub fn get(&self, id: NodeId) -> PickleRef<'_, 'a> {
        PickleRef { pickle: self, id }
    }
}

/// A value inside a [`Pickle`], with accessors that say what was expected when the value
/// is something else.
#[derive(Clone, Copy)]
pub struct PickleRef<'p, 'a> {
    pickle: &'p Pickle<'a>,
    id: NodeId,
}

impl std::fmt::Debug for PickleRef<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}

impl<'p, 'a> PickleRef<'p, 'a> {
    /// The raw value.
    pub fn value(&self) -> &'p PickleValue<'a> {
        &self.pickle.nodes[self.id.0]
    }

    fn get(&self, id: NodeId) -> PickleRef<'p, 'a> {
        PickleRef {
            pickle: self.pickle,
            id,
        }
    }

    /// A short description for error messages: `int 5`, `str 'boxes'`, `dict of 3 items`.
    pub fn describe(&self) -> String {
        match self.value() {
            PickleValue::None => "None".to_owned(),
            PickleValue::Bool(value) => format!("bool {value}"),
            PickleValue::Int(value) => format!("int {value}"),
            PickleValue::Float(value) => format!("float {value}"),
            PickleValue::Str(value) => format!("str {value:?}"),
            PickleValue::LegacyStr(value) => format!("Python 2 str of {} bytes", value.len()),
            PickleValue::Bytes(value) => format!("bytes of length {}", value.len()),
            PickleValue::Tuple(items) => format!("tuple of {} items", items.len()),
            PickleValue::List(items) => format!("list of {} items", items.len()),
            PickleValue::Dict(items) => format!("dict of {} items", items.len()),
            PickleValue::Global { module, name } => format!("global {module}.{name}"),
            PickleValue::Object { callable, .. } => {
                format!("object made by {}", self.get(*callable).describe())
            }
        }
    }

    fn expected(&self, what: &'static str) -> Error {
        Error::PickleType {
            expected: what,
            found: self.describe(),
        }
    }

    /// The value as an `int` (`bool` counts, as in Python).
    pub fn as_int(&self) -> Result<i64, Error> {
        match self.value() {
            PickleValue::Int(value) => Ok(*value),
            PickleValue::Bool(value) => Ok(i64::from(*value)),
            _ => Err(self.expected("an int")),
        }
    }

    /// The value as a `float` (ints convert).
    pub fn as_float(&self) -> Result<f64, Error> {
        match self.value() {
            PickleValue::Float(value) => Ok(*value),
            PickleValue::Int(value) => Ok(*value as f64),
            _ => Err(self.expected("a float")),
        }
    }

    /// The value as text; Python 2 `str` is decoded as Latin-1.
    pub fn as_str(&self) -> Result<Cow<'p, str>, Error> {
        match self.value() {
            PickleValue::Str(text) => Ok(Cow::Borrowed(text.as_ref())),
            PickleValue::LegacyStr(bytes) => Ok(latin1(bytes)),
            _ => Err(self.expected("a str")),
        }
    }

    /// The value as bytes: `bytes`, or a Python 2 `str` unchanged.
    pub fn as_bytes(&self) -> Result<&'p [u8], Error> {
        match self.value() {
            PickleValue::Bytes(bytes) | PickleValue::LegacyStr(bytes) => Ok(bytes.as_ref()),
            _ => Err(self.expected("bytes")),
        }
    }

    /// The items of a tuple or a list.
    pub fn as_sequence(&self) -> Result<Vec<PickleRef<'p, 'a>>, Error> {
        match self.value() {
            PickleValue::Tuple(items) | PickleValue::List(items) => {
                Ok(items.iter().map(|id| self.get(*id)).collect())
            }
            _ => Err(self.expected("a tuple or list")),
        }
    }

    /// The items of a dict (or of a dict subclass such as `defaultdict`).
    pub fn as_dict(&self) -> Result<Vec<(PickleRef<'p, 'a>, PickleRef<'p, 'a>)>, Error> {
        let items = match self.value() {
            PickleValue::Dict(items) => items,
            PickleValue::Object {
                callable,
                dict_items,
                ..
            } if !dict_items.is_empty()
                || self
                    .get(*callable)
                    .as_global()
                    .is_some_and(|(_, name)| matches!(name, "defaultdict" | "OrderedDict")) =>
            {
                dict_items
            }
            _ => return Err(self.expected("a dict")),
        };
        Ok(items
            .iter()
            .map(|(key, value)| (self.get(*key), self.get(*value)))
            .collect())
    }

    /// Looks up a str key in a dict.
    pub fn dict_get(&self, key: &str) -> Result<Option<PickleRef<'p, 'a>>, Error> {
        Ok(self
            .as_dict()?
            .into_iter()
            .find(|(k, _)| k.as_str().is_ok_and(|k| k == key))
            .map(|(_, value)| value))
    }

    /// `(module, name)` of a global.
    pub fn as_global(&self) -> Option<(&'p str, &'p str)> {
        match self.value() {
            PickleValue::Global { module, name } => Some((module.as_ref(), name.as_ref())),
            _ => None,
        }
    }

    /// `(callable, arguments, state)` of an object.
    pub fn as_object(
        &self,
    ) -> Option<(
        PickleRef<'p, 'a>,
        PickleRef<'p, 'a>,
        Option<PickleRef<'p, 'a>>,
    )> {
        match self.value() {
            PickleValue::Object {
                callable,
                arguments,
                state,
                ..
            } => Some((
                self.get(*callable),
                self.get(*arguments),
                state.map(|s| self.get(s)),
            )),
            _ => None,
        }
    }
}

fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        Cow::Borrowed(std::str::from_utf8(bytes).expect("ASCII is UTF-8"))
    } else {
        Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
    }
}

/// What is on the unpickler's stack: a value, or a mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Value(NodeId),
    Mark,
}

/// The pickle machine.
struct Unpickler<'a> {
    input: &'a [u8],
    position: usize,
    nodes: Vec<PickleValue<'a>>,
    stack: Vec<Slot>,
    memo: Vec<Option<NodeId>>,
}

impl<'a> Unpickler<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            position: 0,
            nodes: Vec::new(),
            stack: Vec::new(),
            memo: Vec::new(),
        }
    }

    fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::PickleSyntax {
            offset: self.position,
            message: message.to_string(),
        }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], Error> {
        let end = self
            .position
            .checked_add(count)
            .filter(|end| *end <= self.input.len())
            .ok_or_else(|| self.error("truncated pickle"))?;
        let bytes = &self.input[self.position..end];
        self.position = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<usize, Error> {
        Ok(usize::from(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        )))
    }

    fn u32(&mut self) -> Result<usize, Error> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")) as usize)
    }

    fn u64(&mut self) -> Result<usize, Error> {
        let value = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(value).map_err(|_| self.error("length does not fit in memory"))
    }

    /// A `\n`-terminated line (protocol 0 arguments), without the newline.
    fn line(&mut self) -> Result<&'a [u8], Error> {
        let rest = &self.input[self.position..];
        let end = memchr_newline(rest).ok_or_else(|| self.error("unterminated line"))?;
        self.position += end + 1;
        Ok(&rest[..end])
    }

    fn line_str(&mut self) -> Result<&'a str, Error> {
        let line = self.line()?;
        std::str::from_utf8(line).map_err(|_| self.error("line is not UTF-8"))
    }

    fn push(&mut self, value: PickleValue<'a>) {
        let id = NodeId(self.nodes.len());
        self.nodes.push(value);
        self.stack.push(Slot::Value(id));
    }

    fn pop(&mut self) -> Result<NodeId, Error> {
        match self.stack.pop() {
            Some(Slot::Value(id)) => Ok(id),
            Some(Slot::Mark) => Err(self.error("unexpected mark on the stack")),
            None => Err(self.error("stack underflow")),
        }
    }

    fn top(&self) -> Result<NodeId, Error> {
        match self.stack.last() {
            Some(Slot::Value(id)) => Ok(*id),
            _ => Err(self.error("expected a value on the stack")),
        }
    }

    /// Pops everything down to the last mark (and the mark).
    fn pop_mark(&mut self) -> Result<Vec<NodeId>, Error> {
        let mark = self
            .stack
            .iter()
            .rposition(|slot| *slot == Slot::Mark)
            .ok_or_else(|| self.error("no mark on the stack"))?;
        let items = self.stack[mark + 1..]
            .iter()
            .map(|slot| match slot {
                Slot::Value(id) => *id,
                Slot::Mark => unreachable!("found the last mark"),
            })
            .collect();
        self.stack.truncate(mark);
        Ok(items)
    }

    fn memo_put(&mut self, index: usize) -> Result<(), Error> {
        let id = self.top()?;
        if index >= self.memo.len() {
            if index > self.nodes.len() + 1_000_000 {
                return Err(self.error(format!("memo index {index} out of range")));
            }
            self.memo.resize(index + 1, None);
        }
        self.memo[index] = Some(id);
        Ok(())
    }

    fn memo_get(&mut self, index: usize) -> Result<(), Error> {
        let id = self
            .memo
            .get(index)
            .copied()
            .flatten()
            .ok_or_else(|| self.error(format!("memo index {index} was never stored")))?;
        self.stack.push(Slot::Value(id));
        Ok(())
    }

    fn pairs(&self, items: Vec<NodeId>) -> Result<Vec<(NodeId, NodeId)>, Error> {
        if !items.len().is_multiple_of(2) {
            return Err(self.error("odd number of items for a dict"));
        }
        Ok(items
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect())
    }

    fn set_items(&mut self, target: NodeId, items: Vec<(NodeId, NodeId)>) -> Result<(), Error> {
        match &mut self.nodes[target.0] {
            PickleValue::Dict(existing)
            | PickleValue::Object {
                dict_items: existing,
                ..
            } => {
                existing.extend(items);
                Ok(())
            }
            _ => Err(self.error("SETITEM on something that is not a dict")),
        }
    }

    fn append_items(&mut self, target: NodeId, items: Vec<NodeId>) -> Result<(), Error> {
        match &mut self.nodes[target.0] {
            PickleValue::List(existing)
            | PickleValue::Object {
                list_items: existing,
                ..
            } => {
                existing.extend(items);
                Ok(())
            }
            _ => Err(self.error("APPEND on something that is not a list")),
        }
    }

    /// `callable(*arguments)`: evaluated for the two calls that make `bytes` under
    /// protocol 2, recorded as an object otherwise.
    fn call(&mut self, callable: NodeId, arguments: NodeId) -> Result<(), Error> {
        let global = match &self.nodes[callable.0] {
            PickleValue::Global { module, name } => Some((module.as_ref(), name.as_ref())),
            _ => None,
        };
        let argument_list = match &self.nodes[arguments.0] {
            PickleValue::Tuple(items) => items.clone(),
            _ => return Err(self.error("REDUCE arguments are not a tuple")),
        };
        match global {
            Some(("_codecs", "encode")) => {
                let text = match argument_list.first().map(|id| &self.nodes[id.0]) {
                    Some(PickleValue::Str(text)) => text.clone(),
                    _ => return Err(self.error("_codecs.encode without a str argument")),
                };
                let encoding = match argument_list.get(1).map(|id| &self.nodes[id.0]) {
                    Some(PickleValue::Str(encoding)) => encoding.to_ascii_lowercase(),
                    None => "utf-8".to_owned(),
                    _ => return Err(self.error("_codecs.encode with a non-str encoding")),
                };
                let bytes = match encoding.as_str() {
                    "latin1" | "latin-1" | "iso-8859-1" => text
                        .chars()
                        .map(|c| u8::try_from(u32::from(c)))
                        .collect::<Result<Vec<u8>, _>>()
                        .map_err(|_| self.error("_codecs.encode: character beyond Latin-1"))?,
                    "utf-8" | "utf8" => text.as_bytes().to_vec(),
                    other => {
                        return Err(
                            self.error(format!("_codecs.encode to {other} is not supported"))
                        );
                    }
                };
                self.push(PickleValue::Bytes(Cow::Owned(bytes)));
            }
            Some(("__builtin__" | "builtins", "bytes" | "bytearray"))
                if argument_list.is_empty() =>
            {
                self.push(PickleValue::Bytes(Cow::Borrowed(&[])));
            }
            _ => self.push(PickleValue::Object {
                callable,
                arguments,
                state: None,
                dict_items: Vec::new(),
                list_items: Vec::new(),
            }),
        }
        Ok(())
    }

    /// `persistent_load(pid)` (opcodes `BINPERSID` / `PERSID`): recorded as an object whose
    /// callable is the global `persistent_load` of no module, with `(pid,)` as arguments.
    /// torch refers to its tensor storages this way.
    fn persistent_load(&mut self, pid: NodeId) {
        let callable = NodeId(self.nodes.len());
        self.nodes.push(PickleValue::Global {
            module: Cow::Borrowed(""),
            name: Cow::Borrowed("persistent_load"),
        });
        let arguments = NodeId(self.nodes.len());
        self.nodes.push(PickleValue::Tuple(vec![pid]));
        self.push(PickleValue::Object {
            callable,
            arguments,
            state: None,
            dict_items: Vec::new(),
            list_items: Vec::new(),
        });
    }

    fn run(mut self) -> Result<(Pickle<'a>, usize), Error> {
        loop {
            let opcode = self.byte()?;
            match opcode {
                0x80 => {
                    let protocol = self.byte()?;
                    if protocol > 5 {
                        return Err(self.error(format!("unsupported pickle protocol {protocol}")));
                    }
                }
                0x95 => {
                    self.take(8)?; // FRAME: a length hint only
                }
                b'.' => {
                    let root = self.pop()?;
                    return Ok((
                        Pickle {
                            nodes: self.nodes,
                            root,
                        },
                        self.position,
                    ));
                }
                b'(' => self.stack.push(Slot::Mark),
                b'0' => {
                    self.stack
                        .pop()
                        .ok_or_else(|| self.error("stack underflow"))?;
                }
                b'1' => {
                    self.pop_mark()?;
                }
                b'2' => {
                    let top = self.top()?;
                    self.stack.push(Slot::Value(top));
                }
                b'N' => self.push(PickleValue::None),
                0x88 => self.push(PickleValue::Bool(true)),
                0x89 => self.push(PickleValue::Bool(false)),
                b'I' => {
                    let line = self.line_str()?;
                    let value = match line {
                        "01" => PickleValue::Bool(true),
                        "00" => PickleValue::Bool(false),
                        _ => PickleValue::Int(
                            line.trim()
                                .parse()
                                .map_err(|_| self.error(format!("bad INT `{line}`")))?,
                        ),
                    };
                    self.push(value);
                }
                b'L' => {
                    let line = self.line_str()?;
                    let digits = line.trim().trim_end_matches('L');
                    let value = digits.parse().map_err(|_| {
                        self.error(format!("LONG `{line}` does not fit in 64 bits"))
                    })?;
                    self.push(PickleValue::Int(value));
                }
                b'J' => {
                    let value = i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
                    self.push(PickleValue::Int(i64::from(value)));
                }
                b'K' => {
                    let value = self.byte()?;
                    self.push(PickleValue::Int(i64::from(value)));
                }
                b'M' => {
                    let value = self.u16()?;
                    self.push(PickleValue::Int(value as i64));
                }
                0x8a | 0x8b => {
                    let length = if opcode == 0x8a {
                        usize::from(self.byte()?)
                    } else {
                        self.u32()?
                    };
                    let bytes = self.take(length)?;
                    let value = long_from_le(bytes)
                        .ok_or_else(|| self.error("long integer does not fit in 64 bits"))?;
                    self.push(PickleValue::Int(value));
                }
                b'F' => {
                    let line = self.line_str()?;
                    let value = line
                        .trim()
                        .parse()
                        .map_err(|_| self.error(format!("bad FLOAT `{line}`")))?;
                    self.push(PickleValue::Float(value));
                }
                b'G' => {
                    let value = f64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes"));
                    self.push(PickleValue::Float(value));
                }
                b'S' => {
                    let line = self.line()?;
                    let bytes = unescape_python_string(line)
                        .ok_or_else(|| self.error("bad STRING literal"))?;
                    self.push(PickleValue::LegacyStr(bytes));
                }
                b'T' | b'U' => {
                    let length = if opcode == b'T' {
                        self.u32()?
                    } else {
                        usize::from(self.byte()?)
                    };
                    let bytes = self.take(length)?;
                    self.push(PickleValue::LegacyStr(Cow::Borrowed(bytes)));
                }
                b'V' => {
                    let line = self.line()?;
                    let text = raw_unicode_escape(line)
                        .ok_or_else(|| self.error("bad UNICODE literal"))?;
                    self.push(PickleValue::Str(text));
                }
                b'X' | 0x8c | 0x8d => {
                    let length = match opcode {
                        b'X' => self.u32()?,
                        0x8c => usize::from(self.byte()?),
                        _ => self.u64()?,
                    };
                    let bytes = self.take(length)?;
                    let text = std::str::from_utf8(bytes)
                        .map_err(|_| self.error("str is not valid UTF-8"))?;
                    self.push(PickleValue::Str(Cow::Borrowed(text)));
                }
                b'B' | b'C' | 0x8e | 0x96 => {
                    let length = match opcode {
                        b'B' => self.u32()?,
                        b'C' => usize::from(self.byte()?),
                        _ => self.u64()?,
                    };
                    let bytes = self.take(length)?;
                    self.push(PickleValue::Bytes(Cow::Borrowed(bytes)));
                }
                b')' => self.push(PickleValue::Tuple(Vec::new())),
                0x85..=0x87 => {
                    let count = usize::from(opcode - 0x84);
                    if self.stack.len() < count {
                        return Err(self.error("stack underflow"));
                    }
                    let mut items = Vec::with_capacity(count);
                    for _ in 0..count {
                        items.push(self.pop()?);
                    }
                    items.reverse();
                    self.push(PickleValue::Tuple(items));
                }
                b't' => {
                    let items = self.pop_mark()?;
                    self.push(PickleValue::Tuple(items));
                }
                b']' => self.push(PickleValue::List(Vec::new())),
                b'l' => {
                    let items = self.pop_mark()?;
                    self.push(PickleValue::List(items));
                }
                b'}' => self.push(PickleValue::Dict(Vec::new())),
                b'd' => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    self.push(PickleValue::Dict(pairs));
                }
                b'a' => {
                    let item = self.pop()?;
                    let target = self.top()?;
                    self.append_items(target, vec![item])?;
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    let target = self.top()?;
                    self.append_items(target, items)?;
                }
                b's' => {
                    let value = self.pop()?;
                    let key = self.pop()?;
                    let target = self.top()?;
                    self.set_items(target, vec![(key, value)])?;
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    let target = self.top()?;
                    self.set_items(target, pairs)?;
                }
                b'c' => {
                    let module = self.line_str()?;
                    let name = self.line_str()?;
                    self.push(PickleValue::Global {
                        module: Cow::Borrowed(module),
                        name: Cow::Borrowed(name),
                    });
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    let (PickleValue::Str(module), PickleValue::Str(name)) =
                        (&self.nodes[module.0], &self.nodes[name.0])
                    else {
                        return Err(self.error("STACK_GLOBAL needs two str"));
                    };
                    let value = PickleValue::Global {
                        module: module.clone(),
                        name: name.clone(),
                    };
                    self.push(value);
                }
                b'Q' => {
                    let pid = self.pop()?;
                    self.persistent_load(pid);
                }
                b'P' => {
                    let line = self.line()?;
                    let id = NodeId(self.nodes.len());
                    self.nodes.push(PickleValue::LegacyStr(Cow::Borrowed(line)));
                    self.persistent_load(id);
                }
                b'R' | 0x81 => {
                    let arguments = self.pop()?;
                    let callable = self.pop()?;
                    self.call(callable, arguments)?;
                }
                0x92 => {
                    let _keyword_arguments = self.pop()?;
                    let arguments = self.pop()?;
                    let callable = self.pop()?;
                    self.call(callable, arguments)?;
                }
                b'b' => {
                    let state = self.pop()?;
                    let target = self.top()?;
                    match &mut self.nodes[target.0] {
                        PickleValue::Object { state: slot, .. } => *slot = Some(state),
                        _ => return Err(self.error("BUILD on something that is not an object")),
                    }
                }
                b'p' => {
                    let line = self.line_str()?;
                    let index = line
                        .trim()
                        .parse()
                        .map_err(|_| self.error(format!("bad PUT `{line}`")))?;
                    self.memo_put(index)?;
                }
                b'q' => {
                    let index = usize::from(self.byte()?);
                    self.memo_put(index)?;
                }
                b'r' => {
                    let index = self.u32()?;
                    self.memo_put(index)?;
                }
                0x94 => {
                    let index = self.memo.len();
                    self.memo_put(index)?;
                }
                b'g' => {
                    let line = self.line_str()?;
                    let index = line
                        .trim()
                        .parse()
                        .map_err(|_| self.error(format!("bad GET `{line}`")))?;
                    self.memo_get(index)?;
                }
                b'h' => {
                    let index = usize::from(self.byte()?);
                    self.memo_get(index)?;
                }
                b'j' => {
                    let index = self.u32()?;
                    self.memo_get(index)?;
                }
                other => {
                    return Err(self.error(format!(
                        "opcode {other:#04x} ({}) is not supported in data pickles",
                        char::from(other).escape_default()
                    )));
                }
            }
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// A little-endian two's complement integer of any length, if it fits in `i64`.
fn long_from_le(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() {
        return Some(0);
    }
    let negative = bytes[bytes.len() - 1] & 0x80 != 0;
    let fill = if negative { 0xff } else { 0 };
    if bytes.len() > 8 && bytes[8..].iter().any(|&b| b != fill) {
        return None;
    }
    let mut buffer = [fill; 8];
    let used = bytes.len().min(8);
    buffer[..used].copy_from_slice(&bytes[..used]);
    let value = i64::from_le_bytes(buffer);
    // The sign must survive truncation to 8 bytes.
    ((value < 0) == negative).then_some(value)
}

/// The bytes of a Python 2 `repr(str)` literal: `'abc'`, `"a'b"`, with backslash escapes.
fn unescape_python_string(line: &[u8]) -> Option<Cow<'_, [u8]>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let quote = *line.first()?;
    if (quote != b'\'' && quote != b'"') || line.len() < 2 || *line.last()? != quote {
        return None;
    }
    let body = &line[1..line.len() - 1];
    if !body.contains(&b'\\') {
        return Some(Cow::Borrowed(body));
    }
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let escaped = bytes.next()?;
        match escaped {
            b'\\' | b'\'' | b'"' => out.push(escaped),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'v' => out.push(0x0b),
            b'x' => {
                let high = hex_digit(bytes.next()?)?;
                let low = hex_digit(bytes.next()?)?;
                out.push(high * 16 + low);
            }
            b'0'..=b'7' => {
                let mut value = u32::from(escaped - b'0');
                for _ in 0..2 {
                    match bytes.peek() {
                        Some(&digit @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(digit - b'0');
                            bytes.next();
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Some(Cow::Owned(out))
}

fn hex_digit(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

/// Python's `raw-unicode-escape` codec: `\uXXXX` and `\UXXXXXXXX` escapes, every other
/// byte is a Latin-1 character.
fn raw_unicode_escape(line: &[u8]) -> Option<Cow<'_, str>> {
    if line.is_ascii() && !line.contains(&b'\\') {
        return Some(Cow::Borrowed(std::str::from_utf8(line).ok()?));
    }
    let mut out = String::with_capacity(line.len());
    let mut index = 0;
    while index < line.len() {
        let byte = line[index];
        if byte == b'\\' && matches!(line.get(index + 1), Some(b'u' | b'U')) {
            let digits = if line[index + 1] == b'u' { 4 } else { 8 };
            let hex = line.get(index + 2..index + 2 + digits)?;
            let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(char::from_u32(code)?);
            index += 2 + digits;
        } else {
            out.push(char::from(byte));
            index += 1;
        }
    }
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persistent_ids_become_persistent_load_objects_and_prefixes_report_their_length() {
        // pickle.dumps(('storage', 'k'), 2) with BINPERSID before STOP, then trailing bytes
        // (a second pickle, as torch's legacy files have).
        let mut bytes = b"\x80\x02X\x07\x00\x00\x00storageX\x01\x00\x00\x00k\x86Q.".to_vec();
        let first = bytes.len();
        bytes.extend_from_slice(b"\x80\x02K\x05.");
        let (pickle, used) = Pickle::parse_prefix(&bytes).unwrap();
        assert_eq!(used, first);
        let (callable, arguments, state) = pickle.root().as_object().unwrap();
        assert_eq!(callable.as_global(), Some(("", "persistent_load")));
        assert!(state.is_none());
        let pid = arguments.as_sequence().unwrap()[0].as_sequence().unwrap();
        assert_eq!(pid[0].as_str().unwrap(), "storage");
        assert_eq!(pid[1].as_str().unwrap(), "k");
        let (second, _) = Pickle::parse_prefix(&bytes[used..]).unwrap();
        assert_eq!(second.root().as_int().unwrap(), 5);
    }

    #[test]
    fn python2_protocol_0_with_memo_and_escapes() {
        // Python 2.7: pickle.dumps({'a': [1, 2L, 'x\n\x00'], 5: (True, 1.5, u'\u00e9')}, 0)
        let bytes = b"(dp0\nS'a'\np1\n(lp2\nI1\naL2L\naS'x\\n\\x00'\np3\nasI5\n(I01\nF1.5\nV\\u00e9\np4\ntp5\ns.";
        let pickle = Pickle::parse(bytes).unwrap();
        let root = pickle.root();
        let items = root.as_dict().unwrap();
        assert_eq!(items[0].0.as_str().unwrap(), "a");
        let list = items[0].1.as_sequence().unwrap();
        assert_eq!(list[0].as_int().unwrap(), 1);
        assert_eq!(list[1].as_int().unwrap(), 2);
        assert_eq!(list[2].as_bytes().unwrap(), b"x\n\x00");
        assert_eq!(items[1].0.as_int().unwrap(), 5);
        let tuple = items[1].1.as_sequence().unwrap();
        assert_eq!(tuple[0].as_int().unwrap(), 1);
        assert_eq!(tuple[1].as_float().unwrap(), 1.5);
        assert_eq!(tuple[2].as_str().unwrap(), "\u{e9}");
    }

    #[test]
    fn build_through_the_memo_is_visible_to_later_references() {
        // c.f.\n ) R q\0 ( K\1 t b  h\0 ... : an object BUILT after being memoized, then
        // fetched again from the memo.
        let bytes = b"\x80\x02cm\nf\n)Rq\x00K\x01b]q\x01(h\x00h\x00e.";
        let pickle = Pickle::parse(bytes).unwrap();
        let list = pickle.root();
        let list = list.value();
        let PickleValue::List(items) = list else {
            panic!("list")
        };
        let object = pickle.get(items[1]);
        let (_, _, state) = object.as_object().unwrap();
        assert_eq!(state.unwrap().as_int().unwrap(), 1);
    }

    #[test]
    fn long_integers() {
        assert_eq!(long_from_le(&[0xff]), Some(-1));
        assert_eq!(long_from_le(&[0x00, 0x80, 0x00]), Some(0x8000));
        assert_eq!(long_from_le(&[0; 9]), Some(0));
        assert_eq!(long_from_le(&[0, 0, 0, 0, 0, 0, 0, 0x80, 0]), None);
    }

    #[test]
    fn truncated_and_unknown_input_is_an_error() {
        assert!(Pickle::parse(b"\x80\x02K").is_err());
        assert!(Pickle::parse(b"\x80\x02Q.").is_err());
        assert!(Pickle::parse(b"").is_err());
    }
}
