request = function() return wrk.format("GET", "/swagger-ui") end
