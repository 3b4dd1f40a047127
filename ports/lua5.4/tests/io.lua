-- SPDX-License-Identifier: MIT
-- Lua's io and os libraries on exo (ports/lua5.4/check): reads the file named by its first
-- argument (a --file), stdin, and the clock and environment; compared with Linux's output.
local name = arg[1]
local n, words, longest = 0, 0, ""
for line in io.lines(name) do
	n = n + 1
	for w in line:gmatch("%a+") do
		words = words + 1
		if #w > #longest then longest = w end
	end
end
print(n, words, longest)
local f = assert(io.open(name, "rb"))
local size = f:seek("end")
f:seek("set", 10)
print(size, f:read(5), f:seek())
f:close()
print(io.open("/no/such/file"))
print(pcall(io.lines, "/no/such/file"))
print(io.read("n", "l"), io.read("L"), io.read("a"))
print(type(os.time()), os.time({year = 2000, month = 1, day = 1, hour = 12}), os.date("!%Y-%m-%d", 86400 * 365))
print(os.clock() >= 0, os.getenv("HOME"), os.getenv("NOPE"))
print(math.floor(-3.5), math.ceil(-3.5), math.max(3, 9, 1), math.fmod(7, 3), math.abs(math.mininteger))
math.randomseed(42)
local r = math.random(1, 100)
math.randomseed(42)
print(r == math.random(1, 100))
io.stderr:write("to stderr\n")
os.exit(3)
