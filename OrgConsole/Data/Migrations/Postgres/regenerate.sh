#!/usr/bin/env bash
# Regenerates the PostgreSQL migration from the current model (there is no PostgreSQL deployment to upgrade yet, so it
# stays one initial migration), then puts back the provider-specific SQL the model cannot express.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../../.."
dir=OrgConsole/Data/Migrations/Postgres
rm -f "$dir"/*_PostgresInitial*.cs "$dir"/PostgresDbContextModelSnapshot.cs
dotnet tool restore >/dev/null
dotnet build OrgConsole -v q >/dev/null
dotnet ef migrations add PostgresInitial --project OrgConsole --context PostgresDbContext --no-build \
    --output-dir Data/Migrations/Postgres --namespace OrgConsole.Data.Migrations.Postgres
# dotnet ef writes the snapshot under a folder named after the namespace; keep it beside the migration.
if [[ -f OrgConsole/$dir/PostgresDbContextModelSnapshot.cs ]]; then
    mv OrgConsole/$dir/PostgresDbContextModelSnapshot.cs "$dir/" && rm -rf OrgConsole/OrgConsole
fi
python3 - "$dir" <<'PY'
import glob, sys
path = glob.glob(sys.argv[1] + '/*_PostgresInitial.cs')[0]
s = open(path).read()
up = ["AuditTriggers.CreatePostgres", "MemberSearchIndex.CreatePostgres", "MemberCountTriggers.UpPostgres",
      "MemberListing.UpPostgres", "AccountCleanup.CreatePostgres"]
down = ["AccountCleanup.DropPostgres", "MemberListing.DownPostgres", "MemberSearchIndex.DropPostgres", "AuditTriggers.DropPostgres"]
i = s.index('        protected override void Down(')
j = s.rindex('        }\n', 0, i)
s = s[:j] + '\n' + ''.join(f'            migrationBuilder.Sql({x});\n' for x in up) + s[j:]
i = s.index('        protected override void Down(')
k = s.index('{\n', i) + 2
s = s[:k] + ''.join(f'            migrationBuilder.Sql({x});\n' for x in down) + '\n' + s[k:]
open(path, 'w').write(s)
PY
echo "regenerated $dir"
