namespace OrgConsole.Features.Billing;

public static class BillingRegistration
{
    /// <summary>Billing services; the payment gateway is the built-in test gateway unless a real one is registered first.</summary>
    public static IServiceCollection AddBilling(this IServiceCollection services)
    {
        services.AddScoped<BillingService>();
        services.AddScoped<UsageService>();
        services.AddScoped<InvoiceService>();
        services.AddOptions<SellerOptions>().BindConfiguration("Billing:Seller");
        services.AddScoped<BillingDemoData>();
        services.TryAddPaymentGateway();
        services.AddHostedService<BillingJob>();
        return services;
    }

    private static void TryAddPaymentGateway(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(IPaymentGateway))) services.AddSingleton<IPaymentGateway, TestPaymentGateway>();
    }
}
