#!/usr/bin/env python3
"""Checks that PNG files are not blank: decodes each (8-bit RGB or RGBA,
non-interlaced, as Chromium writes them) and requires at least `--min_colours`
distinct colours and at least 1% of pixels differing from the most common
one. Prints one line per file; exit status 1 if any file fails, 2 for bad
input (not a PNG, unsupported format)."""
import collections
import struct
import sys
import zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG file')
    pos, idat, header = 8, b'', None
    while pos < len(data):
        (length,) = struct.unpack('>I', data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError('unsupported PNG (depth %d, colour type %d, interlace %d)' %
                         (depth, colour, interlace))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main(argv):
    min_colours = 4
    files = []
    for a in argv[1:]:
        if a.startswith('--min_colours='):
            min_colours = int(a.split('=', 1)[1])
        else:
            files.append(a)
    if not files:
        print('png_check: usage: png_check.py [--min_colours=N] FILE.png...', file=sys.stderr)
        return 2
    failed = False
    for path in files:
        try:
            width, height, bpp, rows = decode(path)
        except (OSError, ValueError, zlib.error, TypeError) as e:
            print('png_check: %s: %s' % (path, e), file=sys.stderr)
            return 2
        counts = collections.Counter()
        for row in rows[::2]:
            for x in range(0, width * bpp, bpp * 2):
                counts[row[x:x + 3]] += 1
        total = sum(counts.values())
        common = counts.most_common(1)[0][1]
        ok = len(counts) >= min_colours and (total - common) * 100 >= total
        print('png_check: %s %dx%d colours=%d non_background=%.1f%% %s' %
              (path, width, height, len(counts), 100.0 * (total - common) / total,
               'ok' if ok else 'BLANK'))
        failed |= not ok
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
