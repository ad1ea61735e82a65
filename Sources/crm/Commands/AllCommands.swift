/// Every command of the tool, in the order `crm --help` lists them.
let allCommands: [CommandSpec] = setupCommands + userCommands + sectorCommands + accountCommands
    + contactCommands + noteCommands + searchCommands + settingCommands + pluginCommands + packCommands
    + decisionCommands + openingCommands + quoteCommands + vatCommands + importCommands
    + exportCommands
