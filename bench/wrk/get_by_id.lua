-- GET one action plan: a random id in 1..PLANS (all exist after the benchmark's import).
math.randomseed(os.time())
local plans = tonumber(os.getenv("PLANS") or "20000")
request = function()
  return wrk.format("GET", "/api/v1/action-plans/" .. math.random(1, plans))
end
