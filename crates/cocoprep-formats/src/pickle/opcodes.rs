//! The protocol-2 opcodes cocoprep writes (names as in CPython's `Lib/pickle.py`).

pub(crate) const PROTO: u8 = 0x80;
pub(crate) const STOP: u8 = b'.';
pub(crate) const MARK: u8 = b'(';

pub(crate) const NONE: u8 = b'N';
pub(crate) const NEWTRUE: u8 = 0x88;
pub(crate) const NEWFALSE: u8 = 0x89;
/// 1-byte unsigned int.
pub(crate) const BININT1: u8 = b'K';
/// 2-byte unsigned little-endian int.
pub(crate) const BININT2: u8 = b'M';
/// 4-byte signed little-endian int.
pub(crate) const BININT: u8 = b'J';
/// Long: 1-byte length, then two's complement little-endian bytes.
pub(crate) const LONG1: u8 = 0x8a;
/// 8-byte big-endian IEEE double.
pub(crate) const BINFLOAT: u8 = b'G';
/// 4-byte little-endian length, then UTF-8 bytes.
pub(crate) const BINUNICODE: u8 = b'X';
/// Protocol 3: 1-byte length, then the bytes.
pub(crate) const SHORT_BINBYTES: u8 = b'C';
/// Protocol 3: 4-byte little-endian length, then the bytes.
pub(crate) const BINBYTES: u8 = b'B';

pub(crate) const EMPTY_TUPLE: u8 = b')';
pub(crate) const TUPLE1: u8 = 0x85;
pub(crate) const TUPLE2: u8 = 0x86;
pub(crate) const TUPLE3: u8 = 0x87;
pub(crate) const TUPLE: u8 = b't';
pub(crate) const EMPTY_LIST: u8 = b']';
pub(crate) const APPENDS: u8 = b'e';
pub(crate) const EMPTY_DICT: u8 = b'}';
pub(crate) const SETITEMS: u8 = b'u';

/// `module\nname\n`: push a module attribute (a class or function).
pub(crate) const GLOBAL: u8 = b'c';
/// Pop an object, replace it with `persistent_load(object)` (torch's storages).
pub(crate) const BINPERSID: u8 = b'Q';
/// Call the callable below the argument tuple.
pub(crate) const REDUCE: u8 = b'R';
/// `obj.__setstate__(state)` (or update `__dict__`).
pub(crate) const BUILD: u8 = b'b';

pub(crate) const BINPUT: u8 = b'q';
pub(crate) const LONG_BINPUT: u8 = b'r';
pub(crate) const BINGET: u8 = b'h';
pub(crate) const LONG_BINGET: u8 = b'j';

/// Items per `SETITEMS`/`APPENDS` batch, as CPython's pickler (`_BATCHSIZE`).
pub(crate) const BATCH_SIZE: usize = 1000;
