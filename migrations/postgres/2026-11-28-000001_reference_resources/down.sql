DROP TABLE agencies;
DROP TABLE sectors;
DROP TABLE regions;
