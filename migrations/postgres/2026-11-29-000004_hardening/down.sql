DROP INDEX obstacles_key_bytes_idx;
DROP INDEX action_plans_key_bytes_idx;
DROP INDEX agreements_key_bytes_idx;
DROP INDEX agencies_key_bytes_idx;
DROP INDEX sectors_key_bytes_idx;
DROP INDEX regions_key_bytes_idx;
DROP INDEX api_tokens_name_key;
