module github.com/pm-project/pm

go 1.26
