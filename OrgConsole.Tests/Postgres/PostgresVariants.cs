using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Postgres;

// The service-level suite on PostgreSQL: each class runs every test of its SQLite base class against a fresh
// PostgreSQL database per test (skipped, saying how to enable them, when ORGCONSOLE_TEST_POSTGRES is not set).
// The field initializer runs before the base class's own initializers, so fixtures built there use PostgreSQL too.

public sealed class PermissionMatrixTestsOnPostgres : Access.PermissionMatrixTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class ConcurrencyTokenTestsOnPostgres : Data.ConcurrencyTokenTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class LastOwnerGuardTestsOnPostgres : Features.Members.LastOwnerGuardTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class MemberKeysetPagingTestsOnPostgres : Features.Members.MemberKeysetPagingTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class MemberServiceTestsOnPostgres : Features.Members.MemberServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class AdminApiContractTestsOnPostgres : Api.AdminApi.AdminApiContractTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class RoleBindingListTestsOnPostgres : Api.AdminApi.RoleBindingListTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class ApiKeyCheckEndpointTestsOnPostgres : Api.ApiKeyCheckEndpointTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class SignInTestsOnPostgres : Api.SignInTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class UsageIngestionTestsOnPostgres : Api.UsageIngestionTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class AuditCoverageTestsOnPostgres : Features.Audit.AuditCoverageTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class AuditTrailTestsOnPostgres : Features.Audit.AuditTrailTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class AuditBatchWriterTestsOnPostgres : Features.Audit.AuditBatchWriterTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class BillingPermissionTestsOnPostgres : Features.Billing.BillingPermissionTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class InvoiceServiceTestsOnPostgres : Features.Billing.InvoiceServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class PlanChangeTestsOnPostgres : Features.Billing.PlanChangeTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class UsageIngestionServiceTestsOnPostgres : Features.Billing.UsageIngestionServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class InvitationServiceTestsOnPostgres : Features.Invitations.InvitationServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class OrganizationServiceTestsOnPostgres : Features.Organizations.OrganizationServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class ProjectMemberServiceTestsOnPostgres : Features.Projects.ProjectMemberServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class ProjectServiceTestsOnPostgres : Features.Projects.ProjectServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class ServiceAccountServiceTestsOnPostgres : Features.ServiceAccounts.ServiceAccountServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class SsoProvisioningTestsOnPostgres : Features.Sso.SsoProvisioningTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class SupportServiceTestsOnPostgres : Features.Support.SupportServiceTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class JobLeaseTestsOnPostgres : Jobs.JobLeaseTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class DisplayNameTestsOnPostgres : Features.Accounts.DisplayNameTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class PendingInvitationTestsOnPostgres : Features.Invitations.PendingInvitationTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class HealthTestsOnPostgres : Api.HealthTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
public sealed class MemberPageCostTestsOnPostgres : Features.Members.MemberPageCostTests, IPostgresVariant { private readonly bool _postgres = TestProvider.UsePostgres(); }
