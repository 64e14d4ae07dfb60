-- Create an action plan of a random agreement, with a sector, as an editor (TOKEN): each is
-- validated, written with its link and its audit event in one transaction.
math.randomseed(os.time())
local token = os.getenv("TOKEN") or ""
local sectors = {1, 2, 3, 4, 5, 6}
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"agreement_id":%d,"title":"bench plan %d","status":"planned","year":%d,"sector_ids":[%d]}',
    math.random(1, 2000), n, 2015 + math.random(0, 9), sectors[math.random(1, 6)])
  return wrk.format("POST", "/api/v1/action-plans",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
