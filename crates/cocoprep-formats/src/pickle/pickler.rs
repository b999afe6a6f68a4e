//! The opcode-level writer.

use std::io::{self, Write};

use super::opcodes::*;

/// A slot in the unpickler's memo, filled by [`Pickler::memoize`] and read back by
/// [`Pickler::get`]: a value written once and referred to many times (a word that appears
/// in thousands of n-grams) is stored once in the file and once in the loaded object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoId(u32);

/// Writes a protocol-2 pickle, one opcode at a time.
///
/// Each method pushes one value (or combines the values on the unpickler's stack, as
/// [`reduce`](Self::reduce) does). Start with [`new`](Self::new), push exactly one value,
/// end with [`finish`](Self::finish).
///
/// ```
/// use cocoprep_formats::pickle::Pickler;
///
/// // ('a', 'b'): a tuple of two strings.
/// let mut pickler = Pickler::new(Vec::new())?;
/// pickler.begin_tuple(2)?;
/// pickler.str("a")?;
/// pickler.str("b")?;
/// pickler.end_tuple(2)?;
/// assert_eq!(pickler.finish()?, b"\x80\x02X\x01\x00\x00\x00aX\x01\x00\x00\x00b\x86.");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Pickler<W: Write> {
    out: W,
    next_memo: u32,
    protocol: u8,
}

impl<W: Write> Pickler<W> {
    /// Starts a pickle on `out` (writes the protocol-2 header).
    pub fn new(out: W) -> io::Result<Self> {
        Self::with_protocol(out, 2)
    }

    /// Starts a pickle of protocol 2 or 3. Protocol 3 (Python 3 only, what NumPy 1.x uses
    /// for the objects in `.npy` files) differs in one way here: `bytes` are written as
    /// they are (`BINBYTES`) instead of through `_codecs.encode`, which keeps large binary
    /// payloads such as NumPy array data at their size.
    pub fn with_protocol(mut out: W, protocol: u8) -> io::Result<Self> {
        if !(2..=3).contains(&protocol) {
            return Err(io::Error::other(format!(
                "pickle protocol {protocol} is not supported (2 or 3)"
            )));
        }
        out.write_all(&[PROTO, protocol])?;
        Ok(Self {
            out,
            next_memo: 0,
            protocol,
        })
    }

    /// Ends the pickle (writes `STOP`), flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[STOP])?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// `None`.
    pub fn none(&mut self) -> io::Result<()> {
        self.out.write_all(&[NONE])
    }

    /// `True` or `False`.
    pub fn bool(&mut self, value: bool) -> io::Result<()> {
        self.out
            .write_all(&[if value { NEWTRUE } else { NEWFALSE }])
    }

    /// An `int`, in the shortest form CPython uses for it.
    pub fn int(&mut self, value: i64) -> io::Result<()> {
        if let Ok(small) = u8::try_from(value) {
            self.out.write_all(&[BININT1, small])
        } else if let Ok(medium) = u16::try_from(value) {
            let [low, high] = medium.to_le_bytes();
            self.out.write_all(&[BININT2, low, high])
        } else if let Ok(word) = i32::try_from(value) {
            self.out.write_all(&[BININT])?;
            self.out.write_all(&word.to_le_bytes())
        } else {
            // LONG1: the shortest two's complement little-endian encoding.
            let bytes = value.to_le_bytes();
            let mut length = bytes.len();
            while length > 1 {
                let top = bytes[length - 1];
                let next_sign = bytes[length - 2] & 0x80;
                if (top == 0 && next_sign == 0) || (top == 0xff && next_sign != 0) {
                    length -= 1;
                } else {
                    break;
                }
            }
            self.out.write_all(&[LONG1, length as u8])?;
            self.out.write_all(&bytes[..length])
        }
    }

    /// An `int` too large for `i64`, as its two's complement little-endian bytes (the
    /// shortest form, as CPython writes it; at most 255 bytes): `LONG1`.
    pub fn long(&mut self, little_endian: &[u8]) -> io::Result<()> {
        let length = u8::try_from(little_endian.len())
            .map_err(|_| io::Error::other("an int of more than 255 bytes needs LONG4"))?;
        self.out.write_all(&[LONG1, length])?;
        self.out.write_all(little_endian)
    }

    /// A `float`.
    pub fn float(&mut self, value: f64) -> io::Result<()> {
        self.out.write_all(&[BINFLOAT])?;
        self.out.write_all(&value.to_be_bytes())
    }

    /// A `str` (`unicode` in Python 2).
    pub fn str(&mut self, value: &str) -> io::Result<()> {
        self.out.write_all(&[BINUNICODE])?;
        self.out
            .write_all(&length_u32(value.len())?.to_le_bytes())?;
        self.out.write_all(value.as_bytes())
    }

    /// A `bytes` object, the way CPython writes one under protocol 2 (which has no bytes
    /// opcode): `_codecs.encode(text, 'latin1')` where `text` holds one character per byte,
    /// or `bytes()` when empty. Python 2 loads it as a `str`.
    pub fn bytes(&mut self, value: &[u8]) -> io::Result<()> {
        if self.protocol >= 3 {
            return match u8::try_from(value.len()) {
                Ok(short) => {
                    self.out.write_all(&[SHORT_BINBYTES, short])?;
                    self.out.write_all(value)
                }
                Err(_) => {
                    self.out.write_all(&[BINBYTES])?;
                    self.out
                        .write_all(&length_u32(value.len())?.to_le_bytes())?;
                    self.out.write_all(value)
                }
            };
        }
        if value.is_empty() {
            self.global("__builtin__", "bytes")?;
            self.end_tuple(0)?;
        } else {
            self.global("_codecs", "encode")?;
            let latin1: String = value.iter().map(|&byte| char::from(byte)).collect();
            self.begin_tuple(2)?;
            self.str(&latin1)?;
            self.str("latin1")?;
            self.end_tuple(2)?;
        }
        self.reduce()
    }

    /// A module attribute, such as the class `collections.defaultdict`. Python 3 names
    /// its builtins module `builtins`; protocol 2 writes `__builtin__` (as CPython does),
    /// which Python 3 maps back when loading.
    pub fn global(&mut self, module: &str, name: &str) -> io::Result<()> {
        debug_assert!(!module.contains('\n') && !name.contains('\n'));
        self.out.write_all(&[GLOBAL])?;
        self.out.write_all(module.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Starts a tuple of `length` items: push them next, then call
    /// [`end_tuple`](Self::end_tuple) with the same length.
    pub fn begin_tuple(&mut self, length: usize) -> io::Result<()> {
        if length > 3 {
            self.out.write_all(&[MARK])?;
        }
        Ok(())
    }

    /// Ends a tuple started with [`begin_tuple`](Self::begin_tuple).
    pub fn end_tuple(&mut self, length: usize) -> io::Result<()> {
        let opcode = match length {
            0 => EMPTY_TUPLE,
            1 => TUPLE1,
            2 => TUPLE2,
            3 => TUPLE3,
            _ => TUPLE,
        };
        self.out.write_all(&[opcode])
    }

    /// An empty list, to fill with [`append_items`](Self::append_items).
    pub fn empty_list(&mut self) -> io::Result<()> {
        self.out.write_all(&[EMPTY_LIST])
    }

    /// An empty dict, to fill with [`set_items`](Self::set_items).
    pub fn empty_dict(&mut self) -> io::Result<()> {
        self.out.write_all(&[EMPTY_DICT])
    }

    /// Pushes a mark: the start of the items a later
    /// [`set_items_from_mark`](Self::set_items_from_mark) adds to a dict.
    pub fn mark(&mut self) -> io::Result<()> {
        self.out.write_all(&[MARK])
    }

    /// Adds the key/value pairs pushed since the last [`mark`](Self::mark) to the dict
    /// below the mark.
    pub fn set_items_from_mark(&mut self) -> io::Result<()> {
        self.out.write_all(&[SETITEMS])
    }

    /// Adds `items` to the dict (or dict-like object) on top of the stack; `write_item`
    /// pushes each item's key then its value. Batches of 1000, as CPython writes them.
    pub fn set_items<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        write_item: impl FnMut(&mut Self, T) -> io::Result<()>,
    ) -> io::Result<()> {
        self.batched(items, SETITEMS, write_item)
    }

    /// Appends `items` to the list (or list-like object) on top of the stack.
    pub fn append_items<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        write_item: impl FnMut(&mut Self, T) -> io::Result<()>,
    ) -> io::Result<()> {
        self.batched(items, APPENDS, write_item)
    }

    fn batched<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        closing: u8,
        mut write_item: impl FnMut(&mut Self, T) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            self.out.write_all(&[MARK])?;
            for item in items.by_ref().take(BATCH_SIZE) {
                write_item(self, item)?;
            }
            self.out.write_all(&[closing])?;
        }
        Ok(())
    }

    /// Calls the callable below the top of the stack with the argument tuple on top:
    /// how `__reduce__` rebuilds objects.
    pub fn reduce(&mut self) -> io::Result<()> {
        self.out.write_all(&[REDUCE])
    }

    /// Replaces the value on top of the stack with the unpickler's
    /// `persistent_load(value)`: how `torch.save` refers to tensor storages.
    pub fn persistent_id(&mut self) -> io::Result<()> {
        self.out.write_all(&[BINPERSID])
    }

    /// Gives the object below the top of the stack its state (the value on top):
    /// `__setstate__`, or an update of its `__dict__`.
    pub fn build(&mut self) -> io::Result<()> {
        self.out.write_all(&[BUILD])
    }

    /// Stores the value on top of the stack in the memo and returns its slot.
    pub fn memoize(&mut self) -> io::Result<MemoId> {
        let id = self.next_memo;
        self.next_memo = id
            .checked_add(1)
            .ok_or_else(|| io::Error::other("more than 2^32 memoized pickle values"))?;
        match u8::try_from(id) {
            Ok(small) => self.out.write_all(&[BINPUT, small])?,
            Err(_) => {
                self.out.write_all(&[LONG_BINPUT])?;
                self.out.write_all(&id.to_le_bytes())?;
            }
        }
        Ok(MemoId(id))
    }

    /// Pushes the value stored in the memo at `id` (the same object, not a copy).
    pub fn get(&mut self, id: MemoId) -> io::Result<()> {
        match u8::try_from(id.0) {
            Ok(small) => self.out.write_all(&[BINGET, small]),
            Err(_) => {
                self.out.write_all(&[LONG_BINGET])?;
                self.out.write_all(&id.0.to_le_bytes())
            }
        }
    }
}

fn length_u32(length: usize) -> io::Result<u32> {
    u32::try_from(length).map_err(|_| {
        io::Error::other(format!(
            "a {length}-byte string does not fit protocols 2 and 3 (limit 4 GiB)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::Pickler;

    fn pickled(write: impl FnOnce(&mut Pickler<Vec<u8>>) -> std::io::Result<()>) -> Vec<u8> {
        let mut pickler = Pickler::new(Vec::new()).unwrap();
        write(&mut pickler).unwrap();
        pickler.finish().unwrap()
    }

    #[test]
    fn integers_use_cpython_shortest_opcodes() {
        // Expected bytes from CPython 3.11 `pickle.dumps(x, protocol=2)`.
        assert_eq!(pickled(|p| p.int(0)), b"\x80\x02K\x00.");
        assert_eq!(pickled(|p| p.int(255)), b"\x80\x02K\xff.");
        assert_eq!(pickled(|p| p.int(256)), b"\x80\x02M\x00\x01.");
        assert_eq!(pickled(|p| p.int(113287)), b"\x80\x02J\x87\xba\x01\x00.");
        assert_eq!(pickled(|p| p.int(-1)), b"\x80\x02J\xff\xff\xff\xff.");
        assert_eq!(
            pickled(|p| p.int(1 << 31)),
            b"\x80\x02\x8a\x05\x00\x00\x00\x80\x00."
        );
        assert_eq!(
            pickled(|p| p.int(-(1 << 31) - 1)),
            b"\x80\x02\x8a\x05\xff\xff\xff\x7f\xff."
        );
        assert_eq!(
            pickled(|p| p.int(i64::MIN)),
            b"\x80\x02\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80."
        );
    }

    #[test]
    fn floats_are_big_endian_doubles() {
        assert_eq!(
            pickled(|p| p.float(1.0)),
            b"\x80\x02G?\xf0\x00\x00\x00\x00\x00\x00."
        );
    }

    #[test]
    fn bytes_go_through_codecs_encode_as_cpython_protocol_2() {
        assert_eq!(
            pickled(|p| p.bytes(b"\x00\xff")),
            b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00\x00\xc3\xbfX\x06\x00\x00\x00latin1\x86R."
        );
        assert_eq!(
            pickled(|p| p.bytes(b"")),
            b"\x80\x02c__builtin__\nbytes\n)R."
        );
    }

    #[test]
    fn protocol_3_writes_bytes_as_they_are() {
        let mut pickler = Pickler::with_protocol(Vec::new(), 3).unwrap();
        pickler.bytes(b"\x00\xff").unwrap();
        assert_eq!(pickler.finish().unwrap(), b"\x80\x03C\x02\x00\xff.");
        let mut pickler = Pickler::with_protocol(Vec::new(), 3).unwrap();
        pickler.bytes(&[7; 300]).unwrap();
        let bytes = pickler.finish().unwrap();
        assert_eq!(&bytes[..7], b"\x80\x03B\x2c\x01\x00\x00");
        assert!(Pickler::with_protocol(Vec::new(), 4).is_err());
    }

    #[test]
    fn batches_split_at_one_thousand_items() {
        let list = |items: std::ops::Range<i64>| {
            pickled(|p| {
                p.empty_list()?;
                p.append_items(items, |p, item| p.int(item))
            })
        };
        let bytes = list(0..1001);
        // Item 999 (`M\xe7\x03`) closes the first batch, item 1000 is alone in the second.
        assert!(bytes.windows(5).any(|w| w == b"M\xe7\x03e("));
        assert!(bytes.ends_with(b"(M\xe8\x03e."));
        assert_eq!(list(0..0), b"\x80\x02].");
    }

    #[test]
    fn memo_slots_switch_to_long_form_after_255() {
        let bytes = pickled(|p| {
            p.empty_list()?;
            p.append_items(0..300, |p, item| {
                p.int(item)?;
                let id = p.memoize()?;
                if item == 299 {
                    p.get(id)?;
                }
                Ok(())
            })
        });
        assert!(bytes.windows(5).any(|w| w == b"r\x2b\x01\x00\x00"));
        assert!(bytes.windows(5).any(|w| w == b"j\x2b\x01\x00\x00"));
    }
}
