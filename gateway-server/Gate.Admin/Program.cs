return await Gate.Admin.AdminApp.RunAsync(args, Gate.Admin.AdminContext.FromConsole());
