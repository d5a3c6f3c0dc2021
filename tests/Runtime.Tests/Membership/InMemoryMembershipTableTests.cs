using FleaMarket.TestKit.Membership;
using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Tests.Membership;

public sealed class InMemoryMembershipTableTests : MembershipTableConformanceTests
{
    protected override Task<IMembershipTable> CreateTableAsync() => Task.FromResult<IMembershipTable>(new InMemoryMembershipTable());
}
