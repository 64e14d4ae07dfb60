-- The lists, summary and overview at scale (SCALE_PATHS: a file of paths, one per line),
-- taken in turn.
local paths = {}
for line in io.lines(os.getenv("SCALE_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
