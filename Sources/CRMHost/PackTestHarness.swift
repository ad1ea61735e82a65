/// The Lua side of `crm pack test`: the `test` table and the runner that
/// loads a test file and runs its cases one call at a time.
///
/// Test files are loaded with `load` as chunks of the runner's state, so
/// they share its globals: `test`, and `crm`, set from the handler
/// argument. The sandbox names such chunks `(load) FILE`. Because the
/// sandbox has no `debug` library, the runner finds the line of a failure by
/// walking up the stack with `error(..., level)` until a frame of a test file.
enum PackTestHarness {
    static let file = "pack-test-runner"

    static let source = #"""
local H = { name = "pack-test-runner", version = "1.0.0" }
local cases = {}
local currentFile = "?"
local host = {}

-- "(load) tests/a.lua:12: message" -> "tests/a.lua:12", "message"
local function splitLocation(text)
  return string.match(text, "^%(load%) (.-:%d+): (.*)$")
end

-- The innermost line of a test file on the call stack.
local function testPosition()
  for level = 3, 60 do
    local _, text = pcall(error, "", level)
    if type(text) == "string" and string.sub(text, 1, 7) == "(load) " then
      return (string.match(text, "^%(load%) (.-:%d+): $"))
    end
  end
  return nil
end

local function fail(message)
  error({ isTestFailure = true, message = message, where = testPosition() }, 0)
end

local function orderKeys(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function show(value, depth)
  depth = depth or 0
  if type(value) == "string" then return string.format("%q", value) end
  if math.type(value) == "float" then return string.format("%.17g (a float)", value) end
  if type(value) ~= "table" then return tostring(value) end
  if depth >= 4 then return "{...}" end
  local keys = {}
  for key in pairs(value) do keys[#keys + 1] = key end
  table.sort(keys, orderKeys)
  local isList = #keys == #value
  local parts = {}
  for _, key in ipairs(keys) do
    local shown = show(value[key], depth + 1)
    if isList then
      parts[#parts + 1] = shown
    elseif type(key) == "string" and string.match(key, "^[%a_][%w_]*$") then
      parts[#parts + 1] = key .. " = " .. shown
    else
      parts[#parts + 1] = "[" .. show(key, depth + 1) .. "] = " .. shown
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- Equal values of equal types: 1 and 1.0 differ, because money must stay integral.
local function same(a, b, depth)
  if type(a) == "number" and type(b) == "number" then
    return math.type(a) == math.type(b) and a == b
  end
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" or depth > 32 then return false end
  for key, value in pairs(a) do
    if not same(value, b[key], depth + 1) then return false end
  end
  for key in pairs(b) do
    if a[key] == nil then return false end
  end
  return true
end

local function prefixed(message, text)
  if message then return message .. ": " .. text end
  return text
end

-- Drops the "crm.packTestRule: " prefix that the host puts on its errors.
local function hostMessage(problem)
  return (string.gsub(tostring(problem), "^crm%.packTest%a+: ", ""))
end

local function checkArgument(name, position, value, expected)
  if type(value) ~= expected then
    error(string.format("bad argument #%d to 'test.%s' (%s expected, got %s)", position, name, expected,
      type(value)), 3)
  end
end

test = {}

function test.case(name, body)
  checkArgument("case", 1, name, "string")
  checkArgument("case", 2, body, "function")
  cases[#cases + 1] = { name = name, body = body, where = testPosition() or currentFile }
end

function test.equal(actual, expected, message)
  if not same(actual, expected, 0) then
    fail(prefixed(message, "expected " .. show(expected) .. ", got " .. show(actual)))
  end
end

function test.truthy(value, message)
  if not value then fail(prefixed(message, "expected a true value, got " .. show(value))) end
end

function test.falsy(value, message)
  if value then fail(prefixed(message, "expected nil or false, got " .. show(value))) end
end

function test.fails(body, pattern)
  checkArgument("fails", 1, body, "function")
  local ok, problem = pcall(body)
  if ok then fail("expected an error, but the function returned normally") end
  local message = type(problem) == "table" and problem.message or tostring(problem)
  message = string.gsub(message, "^%(load%) ", "")
  if pattern ~= nil and not string.find(message, pattern) then
    fail("the error " .. show(message) .. " does not match the pattern " .. show(pattern))
  end
  return message
end

function test.rule(rule, payload)
  checkArgument("rule", 1, rule, "string")
  checkArgument("rule", 2, payload, "table")
  local ok, answer = pcall(host.rule, rule, payload)
  if not ok then fail(hostMessage(answer)) end
  if answer.decided then return answer.result, answer.plugin end
  return nil
end

function test.fire(event, payload)
  checkArgument("fire", 1, event, "string")
  checkArgument("fire", 2, payload, "table")
  local ok, problem = pcall(host.fire, event, payload)
  if not ok then fail(hostMessage(problem)) end
end

function test.setting(key, value)
  checkArgument("setting", 1, key, "string")
  local ok, problem = pcall(host.setting, key, value)
  if not ok then fail(hostMessage(problem)) end
end

function test.account(key)
  local id = key
  if type(key) == "string" then
    id = test.fixtures.accounts[key]
    if id == nil then
      local keys = {}
      for name in pairs(test.fixtures.accounts) do keys[#keys + 1] = name end
      table.sort(keys)
      fail("no fixture account " .. show(key) .. "; expected one of " .. table.concat(keys, ", "))
    end
  elseif math.type(key) ~= "integer" then
    error("bad argument #1 to 'test.account' (fixture key or account id expected, got " .. type(key) .. ")", 2)
  end
  local account = crm.getAccount(id)
  if account == nil then fail("no account with id " .. tostring(id)) end
  return account
end

function test.opening(key, requestedCreditLimit)
  local account = test.account(key)
  return {
    id = 1,
    accountId = account.id,
    requestedCreditLimit = requestedCreditLimit,
    requestedBy = account.owner,
    account = account,
  }
end

local function describe(problem, fallback)
  if type(problem) == "table" and problem.isTestFailure then
    return { where = problem.where or fallback, message = problem.message }
  end
  local text = tostring(problem)
  local where, message = splitLocation(text)
  if where then return { where = where, message = message } end
  return { where = fallback, message = text }
end

function H.load(payload, api)
  crm = api
  host.rule = api.packTestRule
  host.fire = api.packTestFire
  host.setting = api.packTestSetting
  test.fixtures = payload.fixtures
  cases = {}
  currentFile = payload.file
  local chunk, problem = load(payload.source, "=" .. payload.file, "t")
  if chunk == nil then
    local failure = describe(problem, payload.file)
    failure.loaded = false
    return failure
  end
  local ok, raised = pcall(chunk)
  if not ok then
    local failure = describe(raised, payload.file)
    failure.loaded = false
    return failure
  end
  local list = {}
  for index, case in ipairs(cases) do
    list[index] = { name = case.name, where = case.where }
  end
  return { loaded = true, cases = list }
end

function H.run(payload)
  local case = cases[payload.index]
  local ok, problem = pcall(case.body)
  if ok then return { passed = true } end
  local failure = describe(problem, case.where)
  failure.passed = false
  return failure
end

return H
"""#
}
