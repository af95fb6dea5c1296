using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Postgres;

// The service-level suite on PostgreSQL: each class runs every test of its SQLite base class against a fresh
// PostgreSQL database per test (skipped, saying how to enable them, when ORGCONSOLE_TEST_POSTGRES is not set).
// The field initializer runs before the base class's own initializers, so fixtures built there use PostgreSQL too.

public sealed class PermissionMatrixTestsOnPostgres : Access.PermissionMatrixTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class LastOwnerGuardTestsOnPostgres : Features.Members.LastOwnerGuardTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class MemberServiceTestsOnPostgres : Features.Members.MemberServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
