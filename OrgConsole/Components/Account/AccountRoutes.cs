namespace OrgConsole.Components.Account;

/// <summary>Where the account pages (sign-in, registration, the account's own settings) live.</summary>
public static class AccountRoutes
{
    public const string AccessDenied = "/Account/AccessDenied";
    public const string ConfirmEmail = "/Account/ConfirmEmail";
    public const string ConfirmEmailChange = "/Account/ConfirmEmailChange";
    public const string ExternalLogin = "/Account/ExternalLogin";
    public const string ForgotPassword = "/Account/ForgotPassword";
    public const string ForgotPasswordConfirmation = "/Account/ForgotPasswordConfirmation";
    public const string InvalidPasswordReset = "/Account/InvalidPasswordReset";
    public const string InvalidUser = "/Account/InvalidUser";
    public const string Lockout = "/Account/Lockout";
    public const string Login = "/Account/Login";
    public const string LoginWith2fa = "/Account/LoginWith2fa";
    public const string LoginWithRecoveryCode = "/Account/LoginWithRecoveryCode";
    public const string Manage = "/Account/Manage";
    public const string ManageChangePassword = "/Account/Manage/ChangePassword";
    public const string ManageDeletePersonalData = "/Account/Manage/DeletePersonalData";
    public const string ManageDisable2fa = "/Account/Manage/Disable2fa";
    public const string ManageEmail = "/Account/Manage/Email";
    public const string ManageEnableAuthenticator = "/Account/Manage/EnableAuthenticator";
    public const string ManageExternalLogins = "/Account/Manage/ExternalLogins";
    public const string ManageGenerateRecoveryCodes = "/Account/Manage/GenerateRecoveryCodes";
    public const string ManagePasskeys = "/Account/Manage/Passkeys";
    public const string ManagePersonalData = "/Account/Manage/PersonalData";
    public const string ManageRenamePasskey = "/Account/Manage/RenamePasskey/{Id}";
    public const string ManageResetAuthenticator = "/Account/Manage/ResetAuthenticator";
    public const string ManageSetPassword = "/Account/Manage/SetPassword";
    public const string ManageTwoFactorAuthentication = "/Account/Manage/TwoFactorAuthentication";
    public const string Register = "/Account/Register";
    public const string RegisterConfirmation = "/Account/RegisterConfirmation";
    public const string ResendEmailConfirmation = "/Account/ResendEmailConfirmation";
    public const string ResetPassword = "/Account/ResetPassword";
    public const string ResetPasswordConfirmation = "/Account/ResetPasswordConfirmation";
}
