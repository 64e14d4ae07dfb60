DROP TRIGGER action_plans_block_delete ON action_plans;
DROP TRIGGER action_plans_block_insert ON action_plans;
DROP FUNCTION action_plans_blocks_changed();
DROP TABLE action_plan_id_blocks;
