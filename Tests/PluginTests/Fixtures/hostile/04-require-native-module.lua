-- Hostile plugin case 04: load native code through require and package.loadlib
-- Expected: both handlers fail, at lines 7 and 12, because require and package are not in the sandbox; no file is written.

local P = { name = "hostile-require-native-module", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local lfs = require("lfs")
  crm.addNote(opp.id, "cwd is " .. tostring(lfs.currentdir()))
end

function P.onAccountOpeningRequested(request, crm)
  local open_io = package.loadlib("liblua5.4.so.0", "luaopen_io")
  local iolib = open_io()
  iolib.open("hostile-loadlib-marker.txt", "w"):write("escaped\n")
end

return P
