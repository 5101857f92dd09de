module badserver

go 1.19
