using LmCompare.Cli;

return LmcApp.Run(args);
