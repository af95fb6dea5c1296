namespace OrgConsole.Features.Billing;

/// <summary>The billing feature's one entry: its services, the hourly billing job, the ingestion and invoice download endpoints.</summary>
public static class BillingModule
{
    /// <summary>The payment gateway is the built-in test gateway unless a real one is registered first.</summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<BillingService>();
        services.AddScoped<UsageService>();
        services.AddScoped<InvoiceService>();
        services.AddOptions<SellerOptions>().BindConfiguration("Billing:Seller");
        services.AddScoped<BillingDemoData>();
        if (services.All(d => d.ServiceType != typeof(IPaymentGateway))) services.AddSingleton<IPaymentGateway, TestPaymentGateway>();
        services.AddHostedService<BillingJob>();
        return services;
    }

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints) => endpoints.MapBilling();
}
