import GroundCLI
GroundCommand.main()
