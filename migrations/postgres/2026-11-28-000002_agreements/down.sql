DROP TABLE obstacles;
DROP TABLE action_plan_agencies;
DROP TABLE action_plan_sectors;
DROP TABLE action_plans;
DROP TABLE agreement_sectors;
DROP TABLE agreement_parties;
DROP TABLE agreements;
