#!/usr/bin/env bash
# Renders a report.html in headless Chromium, as a reader would open it from disk, and fails
# when the page comes out blank or without its charts. Installs Debian's chromium if missing.
#
#   scripts/browser-check.sh REPORT.html [SCREENSHOT.png]
set -euo pipefail
html="$(realpath "$1")"
shot="${2:-$(dirname "$html")/report-screenshot.png}"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --no-first-run --disable-sync --hide-scrollbars
  --user-data-dir="$profile")

# The DOM as the browser built it: the heading and every inline chart must be there.
timeout 120 chromium "${flags[@]}" --dump-dom "file://$html" 2>/dev/null >"$profile/dom.html"
# The page as a picture: the top of the report, headline and SLA table.
timeout 120 chromium "${flags[@]}" --window-size=1280,2400 --screenshot="$shot" "file://$html" \
  >/dev/null 2>&1

python3 - "$shot" "$profile/dom.html" <<'PY'
import struct, sys, zlib

shot, dom = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()

def pixels(path):
    """RGB(A) 8-bit PNG rows, unfiltered (stdlib only)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG type {depth}/{colour}"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return w, h, bpp, rows

w, h, bpp, rows = pixels(shot)
drawn, colours = 0, set()
for row in rows:
    for x in range(0, len(row), bpp * 2):
        px = row[x:x + 3]
        colours.add(px)
        if px != b"\xff\xff\xff":
            drawn += 1
share = drawn / (w * h / 2)
problems = []
if share < 0.02:
    problems.append(f"the page is blank: {share:.1%} of the screenshot is drawn")
if len(colours) < 20:
    problems.append(f"only {len(colours)} colours in the screenshot")
if "<h1>" not in dom:
    problems.append("no <h1> in the rendered page")
charts = dom.count("<svg")
if charts < 6:
    problems.append(f"{charts} inline charts in the rendered page, expected 6 or more")
if problems:
    print("browser check FAILED: " + "; ".join(problems))
    sys.exit(1)
print(f"browser check ok: {w}x{h} screenshot, {share:.0%} drawn, {len(colours)} colours, {charts} charts")
PY
