//! The preamble of PyTorch's legacy (non-zip) `torch.save` format: three small pickles
//! (the magic number, the protocol version 1001, and the `sys_info` dict) that come before
//! the pickled object. Both the CLIP target pickles and legacy `.pth` weights start with it.

use std::io::Write;

use super::Pickler;

/// `torch.serialization.MAGIC_NUMBER` (0x1950a86a20f9469cfc6c), little-endian, as pickle's
/// LONG1 writes it.
pub const TORCH_LEGACY_MAGIC_NUMBER: [u8; 10] =
    [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/// `torch.serialization.PROTOCOL_VERSION`.
pub const TORCH_LEGACY_PROTOCOL_VERSION: i64 = 1001;

/// Writes the magic number, protocol version and `sys_info` pickles exactly as
/// `torch.serialization._legacy_save` does (little endian; short 2, int 4, long 4).
pub fn write_torch_legacy_preamble<W: Write>(out: &mut W) -> std::io::Result<()> {
    let mut magic = Pickler::new(&mut *out)?;
    magic.long(&TORCH_LEGACY_MAGIC_NUMBER)?;
    magic.finish()?;

    let mut version = Pickler::new(&mut *out)?;
    version.int(TORCH_LEGACY_PROTOCOL_VERSION)?;
    version.finish()?;

    let mut sys_info = Pickler::new(&mut *out)?;
    sys_info.empty_dict()?;
    sys_info.mark()?;
    sys_info.str("protocol_version")?;
    sys_info.int(TORCH_LEGACY_PROTOCOL_VERSION)?;
    sys_info.str("little_endian")?;
    sys_info.bool(true)?;
    sys_info.str("type_sizes")?;
    sys_info.empty_dict()?;
    sys_info.mark()?;
    for (name, size) in [("short", 2), ("int", 4), ("long", 4)] {
        sys_info.str(name)?;
        sys_info.int(size)?;
    }
    sys_info.set_items_from_mark()?;
    sys_info.set_items_from_mark()?;
    sys_info.finish()?;
    Ok(())
}
