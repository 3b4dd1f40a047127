-- SPDX-License-Identifier: MIT
-- Lua's string library on exo (ports/lua5.4/check): patterns, format, pack, utf8; the output
-- is compared with the same lua built by musl-gcc on Linux.
local s = "The quick brown fox jumps over the lazy dog"
print(#s, s:upper(), s:lower():reverse())
print(s:find("o(%w+)"), s:match("(%a+) dog"), (s:gsub("%w+", function(w) return #w end)))
for w in s:gmatch("%a%a%a%a%a") do io.write(w, ";") end
print()
print(string.format("%d %5.3f %g %q %x %s %-5s|", 42, math.pi, 1e300 * 10, "a\n\"b", 255,
	nil, "ab"))
print(string.format("%.14g %.17g %a", 0.1, 2 / 3, 1.5))
local packed = string.pack("<i4 d z s1", -7, 2.5, "zero", "len")
print(#packed, string.unpack("<i4 d z s1", packed))
print(utf8.char(72, 233, 8364, 128512), utf8.len("h\u{e9}\u{20ac}"), #"\u{1F600}")
for p, c in utf8.codes("a\u{e9}z") do io.write(p, ":", c, " ") end
print()
print(("x"):rep(5, "-"), ("abc"):byte(1, -1), string.char(76, 117, 97))
print(tostring(12345678901234567890), 0x7fffffffffffffff + 1 == math.mininteger, 7 // 2, 7.0 // 2,
	-7 % 3, 2 ^ 53, 10 / 4, 3 | 5, 6 & 3, 1 << 62, ~0)
print(tonumber("0x1p4"), tonumber("  12  "), tonumber("z", 36), tonumber("1e2"), math.type(1),
	math.type(1.0), math.tointeger(3.0), string.format("%.3f", math.sqrt(2)))
