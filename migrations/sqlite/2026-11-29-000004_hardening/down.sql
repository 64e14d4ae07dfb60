DROP INDEX api_tokens_name_key;
