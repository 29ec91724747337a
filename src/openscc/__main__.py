from openscc.cli import main

main()
