-- SPDX-License-Identifier: MIT
-- Lua's tables, closures, metatables, coroutines, errors and garbage collection on exo
-- (ports/lua5.4/check), compared with the same lua built by musl-gcc on Linux.
local t = {}
for i = 1, 1000 do t[i] = (i * 7919) % 1009 end
table.sort(t)
print(t[1], t[500], t[1000], #t, table.concat(t, ",", 1, 8))
table.sort(t, function(a, b) return a > b end)
print(t[1], select("#", table.unpack(t, 1, 20)), table.move({1, 2, 3}, 1, 3, 2)[3])
local function counter()
	local n = 0
	return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
print(c1(), c2())
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__tostring = function(v) return "V(" .. v.x .. ")" end
V.__len = function() return 99 end
local v = setmetatable({x = 1}, V) + setmetatable({x = 2}, V)
print(tostring(v), #v, rawlen(v), getmetatable(v) == V)
local gen = coroutine.wrap(function(a)
	for i = a, a + 3 do coroutine.yield(i * i) end
	return "done"
end)
print(gen(3), gen(), gen(), gen(), gen())
local co = coroutine.create(function() error({code = 7}) end)
local ok, e = coroutine.resume(co)
print(ok, type(e), e.code, coroutine.status(co))
print(pcall(error, "plain", 0))
print(select(2, pcall(function() return nil + 1 end)):match("arithmetic"))
print(xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
local f = load("local a, b = ... return a * b, _VERSION")
print(f(6, 7))
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1
collectgarbage()
print(next(weak), collectgarbage("count") > 0, collectgarbage("isrunning"))
local big = {}
for i = 1, 200000 do big[i] = {i} end
print(#big, big[200000][1])
big = nil
collectgarbage()
goto skip
print("not printed")
::skip::
local close <close> = setmetatable({}, {__close = function() print("closed") end})
print(string.format("%d keys", (function() local n = 0 for _ in pairs(_G) do n = n + 1 end return n end)()))
