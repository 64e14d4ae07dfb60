#!/usr/bin/env python3
"""Writes the benchmark's data as a Jalin document (see README, "Import"), deterministically.

The shape is the peer benchmark's (../shared/bench/seed_sqlite.py): 1,000 regions, 6 sectors,
2,000 agreements of two parties in different countries, and action plans in 4 statuses x 10
years (500 of each pair at the default 20,000), each with a sector. It scales with --plans
(1,000,000 for the scale runs); it is streamed to the file, so memory stays small.

    bench/generate.py OUT.json [--plans 20000]
"""
import argparse
import json
import random

COUNTRIES = ["CA", "US", "FR", "DE", "BR", "IN", "JP", "AU"]
REGION_KINDS = ["province", "state", "county", "municipality"]
AGREEMENT_STATUSES = ["proposed", "active", "expired", "terminated"]
SECTORS = ["energy", "transport", "health", "education", "water", "agriculture"]
PLAN_STATUSES = ["planned", "in_progress", "implemented", "cancelled"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--plans", type=int, default=20_000)
    args = parser.parse_args()
    rnd = random.Random(42)
    with open(args.out, "w") as out:
        out.write('{"about": "Jalin benchmark data",\n')

        def write_list(name, records, last=False):
            out.write(f'"{name}": [\n')
            first = True
            for record in records:
                if not first:
                    out.write(",\n")
                out.write(json.dumps(record, separators=(",", ":")))
                first = False
            out.write("\n]" + ("" if last else ",") + "\n")

        regions = [
            {"key": f"r{i}", "name": f"Region {i}", "kind": REGION_KINDS[i % 4],
             "country_code": COUNTRIES[i % 8], "capital": f"Capital {i}",
             "area_km2": round(rnd.uniform(100, 500000), 2), "population": rnd.randint(1000, 20_000_000)}
            for i in range(1, 1001)
        ]
        write_list("regions", regions)
        write_list("sectors", ({"key": code, "code": code, "name": code.title()} for code in SECTORS))

        def agreement(i):
            a = rnd.randint(1, 1000)
            # A party in another country: regions of the same country are 8 apart.
            b = a % 1000 + 1 if (a % 1000 + 1) % 8 != a % 8 else (a + 1) % 1000 + 1
            return {"key": f"a{i}", "title": f"Agreement {i}", "kind": "sister_province",
                    "status": AGREEMENT_STATUSES[i % 4], "parties": [f"r{a}", f"r{b}"],
                    "signed_on": f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}"}

        write_list("agreements", (agreement(i) for i in range(1, 2001)))

        def plan(i):
            return {"key": f"p{i}", "agreement": f"a{rnd.randint(1, 2000)}", "title": f"Action plan {i}",
                    "status": PLAN_STATUSES[i % 4], "year": 2015 + (i // 4) % 10,
                    "sectors": [SECTORS[i % 6]]}

        write_list("action_plans", (plan(i) for i in range(1, args.plans + 1)), last=True)
        out.write("}\n")


if __name__ == "__main__":
    main()
