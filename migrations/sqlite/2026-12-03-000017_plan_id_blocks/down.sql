DROP TRIGGER action_plans_block_delete;
DROP TRIGGER action_plans_block_insert;
DROP TABLE action_plan_id_blocks;
