//! The tray icon's pixels: Quick3's own icon (`icons/tray/`, embedded) as StatusNotifierItem
//! pixmaps (ARGB32 in network byte order), and its greyed look while background sync is paused.

use std::sync::LazyLock;

/// Quick3's icon at the sizes panels draw (22 px is the common panel height; 32 and 48 for HiDPI
/// and larger panels), drawn by `script/dev/make-icon.py`.
const PNGS: [&[u8]; 3] = [
    include_bytes!("../../../icons/tray/22x22.png"),
    include_bytes!("../../../icons/tray/32x32.png"),
    include_bytes!("../../../icons/tray/48x48.png"),
];

/// One size of the icon: width, height and its pixels as RGBA (8 bits a channel, row by row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Reads an 8-bit RGBA PNG (what `make-icon.py` writes); anything else is refused, not guessed.
pub fn decode(png_bytes: &[u8]) -> Result<Rgba, String> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large")?;
    let mut pixels = vec![0; size];
    let info = reader.next_frame(&mut pixels).map_err(|e| e.to_string())?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return Err(format!(
            "the icon must be 8-bit RGBA, not {:?} {:?}",
            info.color_type, info.bit_depth
        ));
    }
    pixels.truncate(info.buffer_size());
    Ok(Rgba {
        width: info.width,
        height: info.height,
        pixels,
    })
}

/// RGBA → ARGB32 in network byte order (big-endian: A, R, G, B), as the StatusNotifierItem
/// `IconPixmap` property carries it.
pub fn argb32(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect()
}

/// The paused look: each pixel grey at its luminance (Rec. 601 weights), at 3/4 of its opacity,
/// so that a glance at the panel tells that background sync is paused.
pub fn greyed(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| {
            let luma =
                (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000;
            let grey = u8::try_from(luma).unwrap_or(u8::MAX);
            let alpha = u8::try_from(u32::from(p[3]) * 3 / 4).unwrap_or(u8::MAX);
            [grey, grey, grey, alpha]
        })
        .collect()
}

/// Every size of the icon, decoded once; a size that does not decode is left out (and logged),
/// so a broken file costs that size, never the tray.
fn sizes() -> &'static [Rgba] {
    static SIZES: LazyLock<Vec<Rgba>> = LazyLock::new(|| {
        PNGS.iter()
            .filter_map(|png| {
                decode(png)
                    .inspect_err(
                        |err| tracing::warn!(%err, "a size of the tray icon is unreadable"),
                    )
                    .ok()
            })
            .collect()
    });
    &SIZES
}

/// The icon's pixmaps for the tray, greyed when background sync is `paused`.
pub fn pixmaps(paused: bool) -> Vec<ksni::Icon> {
    sizes()
        .iter()
        .map(|size| ksni::Icon {
            width: i32::try_from(size.width).unwrap_or(i32::MAX),
            height: i32::try_from(size.height).unwrap_or(i32::MAX),
            data: if paused {
                argb32(&greyed(&size.pixels))
            } else {
                argb32(&size.pixels)
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_becomes_argb_in_network_byte_order() {
        // An opaque orange pixel and a half-transparent blue one.
        let rgba = [0xff, 0x9f, 0x1c, 0xff, 0x1f, 0x6f, 0xb2, 0x80];
        assert_eq!(
            argb32(&rgba),
            [0xff, 0xff, 0x9f, 0x1c, 0x80, 0x1f, 0x6f, 0xb2],
            "alpha first, then red, green, blue: the big-endian bytes of 0xAARRGGBB"
        );
    }

    #[test]
    fn the_embedded_icon_decodes_at_every_size_and_is_no_blank() {
        let icons = pixmaps(false);
        let sizes: Vec<(i32, i32)> = icons.iter().map(|i| (i.width, i.height)).collect();
        assert_eq!(sizes, [(22, 22), (32, 32), (48, 48)], "the panel's sizes");
        for icon in &icons {
            let side = usize::try_from(icon.width).unwrap();
            assert_eq!(icon.data.len(), side * side * 4, "4 bytes a pixel");
            let corner = &icon.data[..4];
            assert_eq!(corner[0], 0, "the tile's rounded corner is transparent");
            let centre = (side / 2 * side + side / 2) * 4;
            assert_eq!(icon.data[centre], 0xff, "the middle of the tile is opaque");
            let (r, g, b) = (
                icon.data[centre + 1],
                icon.data[centre + 2],
                icon.data[centre + 3],
            );
            assert!(
                r != g || g != b,
                "Quick3's icon is in colour at {side} px, not a grey placeholder: {r} {g} {b}"
            );
        }
    }

    #[test]
    fn paused_is_the_same_icon_greyed() {
        let (running, paused) = (pixmaps(false), pixmaps(true));
        assert_eq!(running.len(), paused.len(), "the same sizes");
        for (on, off) in running.iter().zip(&paused) {
            assert_eq!((on.width, on.height), (off.width, off.height));
            assert_ne!(on.data, off.data, "paused looks different");
            for pixel in off.data.chunks_exact(4) {
                assert!(
                    pixel[1] == pixel[2] && pixel[2] == pixel[3],
                    "every paused pixel is grey: {pixel:?}"
                );
            }
        }
        assert_eq!(
            greyed(&[255, 255, 255, 200, 0, 0, 0, 0]),
            [255, 255, 255, 150, 0, 0, 0, 0],
            "white stays white at 3/4 opacity; transparent stays transparent"
        );
    }

    #[test]
    fn only_8_bit_rgba_is_read() {
        let grey_png = {
            let mut out = Vec::new();
            let mut encoder = png::Encoder::new(&mut out, 1, 1);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&[7]).unwrap();
            writer.finish().unwrap();
            out
        };
        let refused = decode(&grey_png).unwrap_err();
        assert!(refused.contains("8-bit RGBA"), "says why: {refused}");
        assert!(decode(b"not a png").is_err(), "noise is refused");
    }
}
