-- A page of 50 action plans filtered by status and year, in id order, at a random offset
-- 0..450 (each status and year has 500 plans at 20,000): the peer benchmark's list workload.
math.randomseed(os.time())
local statuses = {"planned", "in_progress", "implemented", "cancelled"}
request = function()
  local path = string.format("/api/v1/action-plans?status=%s&year=%d&limit=50&offset=%d",
    statuses[math.random(1, 4)], 2014 + math.random(1, 10), 50 * math.random(0, 9))
  return wrk.format("GET", path)
end
